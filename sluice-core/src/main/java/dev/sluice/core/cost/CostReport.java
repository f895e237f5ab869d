package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code sluice cost} shows: the cost of each group over a period, the total and its trend,
 * the top offenders, the waste found, and what each figure includes and estimates.
 *
 * @param currency the currency of every amount (ISO 4217), as sluice.yaml's {@code cost:} says
 * @param pricesDeclared whether sluice.yaml declared prices; without them every amount is zero and
 *     only the measures count
 * @param lines one per group, the costliest first
 * @param total the whole project's figures (key {@code total})
 * @param topOffenders the assets that cost the most in the period, the costliest first
 * @param notes for each figure ({@code compute}, {@code storage}, {@code query}, ...), what it
 *     includes and what it estimates
 */
public record CostReport(
    String currency,
    boolean pricesDeclared,
    CostDimension by,
    Instant from,
    Instant to,
    List<CostLine> lines,
    CostLine total,
    List<CostLine> topOffenders,
    List<Waste> waste,
    Map<String, String> notes) {
  public CostReport {
    requireNonNull(currency, "currency is null");
    requireNonNull(by, "by is null");
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    requireNonNull(total, "total is null");
    lines = List.copyOf(lines);
    topOffenders = List.copyOf(topOffenders);
    waste = List.copyOf(waste);
    notes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(notes));
  }
}
