package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One result of a check in its history: the run and step that ran it, the partition the step built,
 * and when.
 *
 * @param runId the run
 * @param stepId the step of the run that ran the check
 * @param partition the partition the step built (its label), or null for a whole table
 * @param at when the step started
 * @param check the result as recorded, its failing rows' sample masked
 */
public record CheckHistoryEntry(
    String runId, long stepId, String partition, Instant at, CheckRecord check) {
  public CheckHistoryEntry {
    requireNonNull(runId, "runId is null");
    requireNonNull(at, "at is null");
    requireNonNull(check, "check is null");
  }
}
