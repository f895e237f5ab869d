package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One step of a run: the materialization of one asset.
 *
 * @param id the step's id, unique in the state database
 * @param asset the asset the step materialized
 * @param kind what kind of asset it materialized
 * @param status where the step is
 * @param startedAt when it started
 * @param finishedAt when it finished, or null while it runs
 * @param metrics what it moved; {@link StepMetrics#empty()} until it finishes
 * @param error why it failed, or null
 * @param checks the checks it ran, in the order they were recorded
 */
public record StepDetail(
    long id,
    String asset,
    StepKind kind,
    StepStatus status,
    Instant startedAt,
    Instant finishedAt,
    StepMetrics metrics,
    String error,
    List<CheckRecord> checks) {

  public StepDetail {
    requireNonNull(asset, "asset is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(status, "status is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(metrics, "metrics is null");
    checks = List.copyOf(requireNonNull(checks, "checks is null"));
  }

  /** The step's identity, read from the name the store recorded it by. */
  public StepKey key() {
    return StepKey.parse(asset);
  }
}
