package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The cost of one group ({@code --by}) over the period, with the measures it comes from.
 *
 * @param key the group: an asset, an owner, a tag...
 * @param compute the CPU time of the steps, priced per CPU-hour
 * @param storage the bytes the group's tables hold, priced per GB-month over the period
 * @param query the bytes the queries scanned (priced per TB) and their CPU time (per CPU-hour)
 * @param previousTotal the total of the period before, of the same length
 * @param cpuMillis the CPU time of the steps
 * @param runs how many runs had a step in the group
 * @param steps how many steps
 * @param queries how many queries (a query reading tables of several groups counts in each)
 * @param bytesScanned the bytes the queries scanned (shared evenly among the tables a query read)
 * @param storedBytes the bytes the group's tables hold, as last measured
 */
public record CostLine(
    String key,
    BigDecimal compute,
    BigDecimal storage,
    BigDecimal query,
    BigDecimal previousTotal,
    long cpuMillis,
    long runs,
    long steps,
    long queries,
    long bytesScanned,
    long storedBytes) {
  public CostLine {
    requireNonNull(key, "key is null");
    requireNonNull(compute, "compute is null");
    requireNonNull(storage, "storage is null");
    requireNonNull(query, "query is null");
    requireNonNull(previousTotal, "previousTotal is null");
  }

  /** Compute, storage and query cost together. */
  public BigDecimal total() {
    return compute.add(storage).add(query);
  }

  /** The compute cost of one run, or null without runs. */
  public BigDecimal perRun() {
    return runs == 0 ? null : compute.divide(BigDecimal.valueOf(runs), 6, RoundingMode.HALF_UP);
  }

  /** The query cost of 1,000 queries, or null without queries. */
  public BigDecimal perThousandQueries() {
    return queries == 0
        ? null
        : query
            .multiply(BigDecimal.valueOf(1000))
            .divide(BigDecimal.valueOf(queries), 6, RoundingMode.HALF_UP);
  }

  /**
   * The change of the total against the previous period, in percent, or null when the previous
   * period cost nothing.
   */
  public BigDecimal trendPercent() {
    return previousTotal.signum() == 0
        ? null
        : total()
            .subtract(previousTotal)
            .multiply(BigDecimal.valueOf(100))
            .divide(previousTotal, 1, RoundingMode.HALF_UP);
  }
}
