package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.List;

/**
 * A change of one model against what production (or an environment) was built from, with its
 * category and what it affects downstream.
 *
 * @param kind {@code added} (not built there yet), {@code sql} (its SQL changed), {@code
 *     configuration} (materialization, key, zone or partitioning only), {@code metadata}
 * @param addedColumns columns the new version has and the built table has not
 * @param removedColumns columns the built table has and the new version has not (a rename is one
 *     removed and one added)
 * @param modifiedColumns columns in both whose expression changed
 * @param rowsChanged why every row may change (a filter, join, grouping or CTE changed), or null
 * @param metadata the metadata facets that changed (description, owner, tier, tags, columns,
 *     checks)
 * @param downstream the downstream models whose columns read a changed column, nearest first
 * @param history the choice between forward-only and rebuilding the history, for an incremental or
 *     partitioned model whose data changes; null otherwise
 * @param note what could not be compared, or null
 */
public record ModelChange(
    String model,
    TableName table,
    ChangeCategory category,
    String kind,
    List<String> addedColumns,
    List<String> removedColumns,
    List<String> modifiedColumns,
    String rowsChanged,
    List<String> metadata,
    List<AffectedModel> downstream,
    HistoryChoice history,
    String note) {
  public ModelChange {
    requireNonNull(model, "model is null");
    requireNonNull(table, "table is null");
    requireNonNull(category, "category is null");
    requireNonNull(kind, "kind is null");
    addedColumns = List.copyOf(addedColumns);
    removedColumns = List.copyOf(removedColumns);
    modifiedColumns = List.copyOf(modifiedColumns);
    metadata = List.copyOf(metadata);
    downstream = List.copyOf(downstream);
  }

  /** One line saying what changed, e.g. {@code removed amount; added net_amount}. */
  public String summary() {
    List<String> parts = new java.util.ArrayList<>();
    switch (kind) {
      case "added" -> parts.add("new model");
      case "configuration" -> parts.add("configuration changed");
      case "metadata" -> parts.add("metadata: " + String.join(", ", metadata));
      default -> {}
    }
    if (!removedColumns.isEmpty() && !"added".equals(kind)) {
      parts.add("removed " + String.join(", ", removedColumns));
    }
    if (!addedColumns.isEmpty() && !"added".equals(kind)) {
      parts.add("added " + String.join(", ", addedColumns));
    }
    if (!modifiedColumns.isEmpty()) {
      parts.add("changed " + String.join(", ", modifiedColumns));
    }
    if (rowsChanged != null) {
      parts.add("rows: " + rowsChanged);
    }
    if (!"metadata".equals(kind) && !metadata.isEmpty()) {
      parts.add("metadata: " + String.join(", ", metadata));
    }
    return parts.isEmpty() ? "SQL reformatted" : String.join("; ", parts);
  }

  /** The affected downstream models, e.g. {@code daily_revenue (revenue); report (all rows)}. */
  public String downstreamSummary() {
    if (downstream.isEmpty()) {
      return "-";
    }
    return String.join(
        "; ",
        downstream.stream()
            .map(
                affected ->
                    affected.model()
                        + " ("
                        + (affected.allRows() ? "all rows" : String.join(", ", affected.columns()))
                        + ")")
            .toList());
  }

  /**
   * A downstream model a change reaches.
   *
   * @param columns its columns computed from a changed column (every column when {@code allRows})
   * @param allRows whether it filters, joins or groups on a changed column, or its lineage cannot
   *     be derived, so that every row may change
   * @param history forward-only vs rebuilding its history, when it is incremental or partitioned
   */
  public record AffectedModel(
      String model, List<String> columns, boolean allRows, HistoryChoice history) {
    public AffectedModel {
      requireNonNull(model, "model is null");
      columns = List.copyOf(columns);
    }
  }

  /**
   * For an incremental or partitioned model: apply the change forward only (rows already built keep
   * the old logic), or rebuild its history.
   *
   * @param materialization how the model is built, e.g. {@code incremental}
   * @param partitions the partitions a rebuild of the history builds again (those built so far), or
   *     null for an unpartitioned incremental model
   * @param rows the rows the table holds now (what a rebuild replaces), or null when not known
   * @param forwardOnly the command that applies the change from now on
   * @param rebuild the command that rebuilds the history
   */
  public record HistoryChoice(
      String materialization, Integer partitions, Long rows, String forwardOnly, String rebuild) {
    public HistoryChoice {
      requireNonNull(materialization, "materialization is null");
      requireNonNull(forwardOnly, "forwardOnly is null");
      requireNonNull(rebuild, "rebuild is null");
    }
  }
}
