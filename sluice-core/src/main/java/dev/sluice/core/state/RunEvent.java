package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One thing that happened in a run, for its timeline.
 *
 * @param asset the asset it concerns, or null for the run itself
 * @param kind e.g. {@code queued}, {@code started}, {@code retrying}, {@code published}
 * @param message details for people, or null
 */
public record RunEvent(String runId, String asset, Instant at, String kind, String message) {
  public RunEvent {
    requireNonNull(runId, "runId is null");
    requireNonNull(at, "at is null");
    requireNonNull(kind, "kind is null");
  }
}
