package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one step of a run did.
 *
 * @param asset the asset's name (a model, a seed or {@code source.table})
 * @param kind what kind of asset the step materialized
 * @param table the table written, e.g. {@code curated.orders}
 * @param snapshotId the snapshot published, or null
 * @param detail a short human description, e.g. {@code appended 2 new files}
 * @param failure the exception that failed the step (e.g. a {@code DataException} for bad input, a
 *     {@code QueryException} for a model's SQL), or null: the step did not fail, or a blocking
 *     check failed it
 * @param profiles what the step wrote to its table (or each partition of it): rows, bytes, files
 *     and column profiles, for the metric history
 * @param phases where the step's wall time went, from the start of its record in the run store to
 *     the end of it ({@link PhaseTimer}); empty for a step that did not run here
 */
public record StepResult(
    String asset,
    StepKind kind,
    String table,
    StepStatus status,
    long rowsIn,
    long rowsOut,
    long bytesIn,
    long bytesOut,
    long rejectedRows,
    Long snapshotId,
    Duration duration,
    List<CheckOutcome> checks,
    List<TableProfile> profiles,
    String detail,
    String error,
    Throwable failure,
    Map<StepPhase, Duration> phases) {
  public StepResult {
    requireNonNull(asset, "asset is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(table, "table is null");
    requireNonNull(status, "status is null");
    requireNonNull(duration, "duration is null");
    checks = List.copyOf(checks);
    profiles = List.copyOf(profiles);
    phases = phases.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(phases));
  }

  /** The same result with where its time went. */
  StepResult withPhases(Map<StepPhase, Duration> phases) {
    return toBuilder().phases(phases).build();
  }

  /**
   * A result for a step of {@code asset}, of {@code kind}, writing {@code table}: nothing moved, no
   * snapshot, no checks, no time taken, until set.
   */
  public static Builder builder(String asset, StepKind kind, String table) {
    return new Builder(asset, kind, table);
  }

  /** A builder holding this result's values. */
  public Builder toBuilder() {
    return builder(asset, kind, table)
        .status(status)
        .rowsIn(rowsIn)
        .rowsOut(rowsOut)
        .bytesIn(bytesIn)
        .bytesOut(bytesOut)
        .rejectedRows(rejectedRows)
        .snapshotId(snapshotId)
        .duration(duration)
        .checks(checks)
        .profiles(profiles)
        .detail(detail)
        .error(error)
        .failure(failure)
        .phases(phases);
  }

  /** The same result, for a step named {@code name} (e.g. a partition step). */
  StepResult withAsset(String name) {
    Builder builder = toBuilder();
    builder.asset = requireNonNull(name, "name is null");
    return builder.build();
  }

  static StepResult skipped(String asset, StepKind kind, String table, String reason) {
    return builder(asset, kind, table).status(StepStatus.SKIPPED).error(reason).build();
  }

  /** Builds a {@link StepResult}; {@link #status} must be set. */
  public static final class Builder {
    private String asset;
    private final StepKind kind;
    private final String table;
    private StepStatus status;
    private long rowsIn;
    private long rowsOut;
    private long bytesIn;
    private long bytesOut;
    private long rejectedRows;
    private Long snapshotId;
    private Duration duration = Duration.ZERO;
    private List<CheckOutcome> checks = List.of();
    private List<TableProfile> profiles = List.of();
    private String detail;
    private String error;
    private Throwable failure;
    private Map<StepPhase, Duration> phases = Map.of();

    private Builder(String asset, StepKind kind, String table) {
      this.asset = requireNonNull(asset, "asset is null");
      this.kind = requireNonNull(kind, "kind is null");
      this.table = requireNonNull(table, "table is null");
    }

    public Builder status(StepStatus status) {
      this.status = requireNonNull(status, "status is null");
      return this;
    }

    public Builder rowsIn(long rowsIn) {
      this.rowsIn = rowsIn;
      return this;
    }

    public Builder rowsOut(long rowsOut) {
      this.rowsOut = rowsOut;
      return this;
    }

    public Builder bytesIn(long bytesIn) {
      this.bytesIn = bytesIn;
      return this;
    }

    public Builder bytesOut(long bytesOut) {
      this.bytesOut = bytesOut;
      return this;
    }

    public Builder rejectedRows(long rejectedRows) {
      this.rejectedRows = rejectedRows;
      return this;
    }

    /** The snapshot published, or null. */
    public Builder snapshotId(Long snapshotId) {
      this.snapshotId = snapshotId;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = requireNonNull(duration, "duration is null");
      return this;
    }

    public Builder checks(List<CheckOutcome> checks) {
      this.checks = List.copyOf(checks);
      return this;
    }

    /** What the step wrote, per table or partition. */
    public Builder profiles(List<TableProfile> profiles) {
      this.profiles = List.copyOf(profiles);
      return this;
    }

    /** A short human description of what the step did, or null. */
    public Builder detail(String detail) {
      this.detail = detail;
      return this;
    }

    /** Why the step failed or was skipped, or null. */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    /** The exception that failed the step, or null. */
    public Builder failure(Throwable failure) {
      this.failure = failure;
      return this;
    }

    /** Where the step's time went, by phase. */
    public Builder phases(Map<StepPhase, Duration> phases) {
      this.phases = requireNonNull(phases, "phases is null");
      return this;
    }

    /**
     * The result.
     *
     * @throws NullPointerException when no status was set
     */
    public StepResult build() {
      return new StepResult(
          asset,
          kind,
          table,
          status,
          rowsIn,
          rowsOut,
          bytesIn,
          bytesOut,
          rejectedRows,
          snapshotId,
          duration,
          checks,
          profiles,
          detail,
          error,
          failure,
          phases);
    }
  }
}
