package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.BudgetDef;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * Where a budget stands this month.
 *
 * @param spent what its assets cost since {@code monthStart}
 */
public record BudgetStatus(BudgetDef budget, Instant monthStart, BigDecimal spent) {
  public BudgetStatus {
    requireNonNull(budget, "budget is null");
    requireNonNull(monthStart, "monthStart is null");
    requireNonNull(spent, "spent is null");
  }

  /** The share of the monthly amount spent, in percent. */
  public BigDecimal percent() {
    return spent
        .multiply(BigDecimal.valueOf(100))
        .divide(budget.monthly(), 1, RoundingMode.HALF_UP);
  }

  /** Whether the month's spending reached the warning share. */
  public boolean warning() {
    return percent().compareTo(BigDecimal.valueOf(budget.warnPercent())) >= 0;
  }

  /** Whether the month's spending reached the amount. */
  public boolean exceeded() {
    return spent.compareTo(budget.monthly()) >= 0;
  }
}
