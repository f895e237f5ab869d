package dev.sluice.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.state.PartitionState;
import dev.sluice.core.state.PartitionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The partitions of a partitioned model as the grid of the UI and the API show them: every
 * partition whose time window has ended (from the model's start on), materialized, failed or
 * missing (never built), then any partition the state database knows that the declaration no longer
 * yields (a removed static value, say), oldest first.
 */
public final class PartitionGrid {
  /** The status of a partition on the grid. */
  public enum Status {
    MATERIALIZED,
    FAILED,
    MISSING;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One partition.
   *
   * @param runId the run that last built it, or null
   * @param updatedAt when its state last changed, or null when never built
   * @param rows the rows its last successful build wrote, or null
   * @param error why its last build failed, or null
   */
  public record Cell(
      String partition, Status status, String runId, Instant updatedAt, Long rows, String error) {
    public Cell {
      requireNonNull(partition, "partition is null");
      requireNonNull(status, "status is null");
    }
  }

  private PartitionGrid() {}

  /** The grid of {@code model} now; empty when the model is not partitioned. */
  public static List<Cell> of(Workspace workspace, ModelDef model, Instant now) {
    if (model == null || !model.partitioned()) {
      return List.of();
    }
    Map<String, PartitionState> states =
        new LinkedHashMap<>(workspace.runStore().partitions().partitions(model.name()));
    List<Cell> cells = new ArrayList<>();
    for (PartitionKey key : model.partitions().complete(now)) {
      cells.add(cell(key.toString(), states.remove(key.toString())));
    }
    states.forEach((key, state) -> cells.add(cell(key, state)));
    return cells;
  }

  private static Cell cell(String key, PartitionState state) {
    if (state == null) {
      return new Cell(key, Status.MISSING, null, null, null, null);
    }
    Status status =
        state.status() == PartitionStatus.FAILED
            ? Status.FAILED
            : state.materialized() ? Status.MATERIALIZED : Status.MISSING;
    return new Cell(key, status, state.runId(), state.updatedAt(), state.rows(), state.error());
  }
}
