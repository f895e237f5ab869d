package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * The prices of {@code cost:} in sluice.yaml, in one currency, normalized to one unit each, with
 * which {@code sluice cost} turns what steps and queries consumed and what tables hold into money.
 *
 * @param cpuHour the price of one CPU-hour of the process that runs Sluice
 * @param gbMonth the price of storing one gigabyte (10^9 bytes) for one month (30 days)
 * @param tbScanned the price of scanning one terabyte (10^12 bytes) by a query
 */
public record CostPrices(
    Currency currency, BigDecimal cpuHour, BigDecimal gbMonth, BigDecimal tbScanned) {
  /** No prices declared: every figure is a measure, its money zero, in no particular currency. */
  public static final CostPrices NONE =
      new CostPrices(
          Currency.getInstance("USD"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

  public CostPrices {
    requireNonNull(currency, "currency is null");
    requireNonNull(cpuHour, "cpuHour is null");
    requireNonNull(gbMonth, "gbMonth is null");
    requireNonNull(tbScanned, "tbScanned is null");
  }

  /** Whether any price is set (sluice.yaml declared {@code cost:} with a price). */
  public boolean declared() {
    return cpuHour.signum() != 0 || gbMonth.signum() != 0 || tbScanned.signum() != 0;
  }
}
