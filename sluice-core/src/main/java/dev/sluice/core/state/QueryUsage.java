package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What one query through the query service consumed.
 *
 * @param principal who ran it: a principal of policies.yaml, or {@code owner} for the project's
 *     owner
 * @param tables the tables it read
 * @param filesScanned the data files Iceberg planned for it, after pruning
 * @param bytesScanned the bytes of those files: what a scan-priced engine would bill
 * @param cpuMillis the process's CPU time while the query ran (an estimate when other work ran at
 *     the same time: it is apportioned among them)
 */
public record QueryUsage(
    Instant at,
    String principal,
    List<String> tables,
    long filesScanned,
    long bytesScanned,
    long cpuMillis,
    long wallMillis,
    long rowsReturned) {
  public QueryUsage {
    requireNonNull(at, "at is null");
    requireNonNull(principal, "principal is null");
    tables = List.copyOf(tables);
  }
}
