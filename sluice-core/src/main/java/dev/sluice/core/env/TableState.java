package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.lake.CarriedState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/**
 * What a comparison of the project with the warehouse reads of a table's metadata file: for each
 * branch, the model fingerprint its snapshot carries, its columns and its rows. A metadata file
 * never changes (a commit writes a new one), so this is kept in the state database by the file's
 * location ({@link CatalogLookups}) and read again only when the catalog points elsewhere.
 *
 * @param branches by branch name ({@code main} among them when it has a snapshot)
 */
record TableState(Map<String, BranchState> branches) {
  private static final ObjectMapper JSON = new ObjectMapper();

  TableState {
    branches = Map.copyOf(branches);
  }

  /**
   * A branch's head as a comparison reads it.
   *
   * @param fingerprint the model fingerprint the head carries, {@code ""} when none
   * @param columns the head's columns, lower case
   * @param rows the head's total rows, null when its summary has none
   */
  record BranchState(String fingerprint, List<String> columns, Long rows) {
    BranchState {
      requireNonNull(fingerprint, "fingerprint is null");
      columns = List.copyOf(columns);
    }
  }

  /** Reads every branch of a loaded table. */
  static TableState of(Table table) {
    Map<String, BranchState> branches = new TreeMap<>();
    for (Map.Entry<String, SnapshotRef> ref : table.refs().entrySet()) {
      Snapshot snapshot = table.snapshot(ref.getValue().snapshotId());
      if (snapshot == null) {
        continue;
      }
      Schema schema =
          snapshot.schemaId() == null ? table.schema() : table.schemas().get(snapshot.schemaId());
      String total = snapshot.summary().get(SnapshotSummary.TOTAL_RECORDS_PROP);
      branches.put(
          ref.getKey(),
          new BranchState(
              CarriedState.of(table, snapshot).getOrDefault(CarriedState.MODEL_FINGERPRINT, ""),
              schema.columns().stream()
                  .map(Types.NestedField::name)
                  .map(name -> name.toLowerCase(Locale.ROOT))
                  .toList(),
              total == null ? null : Long.parseLong(total)));
    }
    return new TableState(branches);
  }

  /** The branch's head, if the table has the branch. */
  Optional<BranchState> branch(String name) {
    return Optional.ofNullable(branches.get(name));
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a table's state as JSON", e);
    }
  }

  /** As {@link #toJson} wrote it; empty when it cannot be read (then the table is loaded again). */
  static Optional<TableState> fromJson(String json) {
    try {
      return Optional.of(JSON.readValue(json, TableState.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
