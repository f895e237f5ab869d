package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.JSON;
import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateRows.longOrNull;
import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.nullableLong;
import static dev.sluice.core.state.StateSql.nullableMillis;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What is known of the partitions of each partitioned asset, in a {@link RunStore}. */
public final class Partitions extends FencedPart {
  Partitions(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /**
   * Records that some partitions of an asset were built: their rows, the snapshot that holds them
   * and what the build read, the snapshot id of each input table by table name.
   */
  public void recordMaterialized(
      String asset,
      List<String> partitions,
      String runId,
      Instant at,
      long rows,
      Long snapshotId,
      Map<String, Long> inputs) {
    record(asset, partitions, true, runId, at, rows, snapshotId, null, inputs);
  }

  /**
   * Records that building some partitions of an asset failed, with the error; an earlier
   * materialization of them stays known.
   */
  public void recordFailed(
      String asset, List<String> partitions, String runId, Instant at, String error) {
    record(asset, partitions, false, runId, at, null, null, error, Map.of());
  }

  private void record(
      String asset,
      List<String> partitions,
      boolean materialized,
      String runId,
      Instant at,
      Long rows,
      Long snapshotId,
      String error,
      Map<String, Long> inputs) {
    requireNonNull(inputs, "inputs is null");
    String inputsJson;
    try {
      inputsJson = materialized ? JSON.writeValueAsString(new TreeMap<>(inputs)) : null;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the inputs of " + asset + " as JSON", e);
    }
    writeForRun(
        "record the partitions of " + asset,
        runId,
        connection -> {
          List<Object[]> values = new ArrayList<>();
          for (String partition : partitions) {
            values.add(
                new Object[] {
                  asset,
                  partition,
                  materialized ? PartitionStatus.MATERIALIZED : PartitionStatus.FAILED,
                  runId,
                  at,
                  nullableMillis(materialized ? at : null),
                  nullableLong(materialized ? rows : null),
                  nullableLong(materialized ? snapshotId : null),
                  materialized ? null : error,
                  inputsJson
                });
          }
          batch(
              connection,
              "INSERT INTO sluice_partitions (asset, partition_key, status, run_id,"
                  + " updated_at, materialized_at, rows_out, snapshot_id, error, inputs)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT (asset, partition_key) DO UPDATE SET"
                  + " status = excluded.status, run_id = excluded.run_id,"
                  + " updated_at = excluded.updated_at,"
                  + " materialized_at = COALESCE(excluded.materialized_at,"
                  + " sluice_partitions.materialized_at),"
                  + " rows_out = COALESCE(excluded.rows_out, sluice_partitions.rows_out),"
                  + " snapshot_id = COALESCE(excluded.snapshot_id,"
                  + " sluice_partitions.snapshot_id),"
                  + " error = excluded.error,"
                  + " inputs = COALESCE(excluded.inputs, sluice_partitions.inputs)",
              values);
          return null;
        });
  }

  /** What is known of the partitions of an asset, by partition key. */
  public Map<String, PartitionState> partitions(String asset) {
    return transactions.read(
        "read the partitions of " + asset,
        connection -> {
          Map<String, PartitionState> states = new LinkedHashMap<>();
          for (PartitionState state :
              list(
                  connection,
                  "SELECT partition_key, status, run_id, updated_at, materialized_at, rows_out,"
                      + " snapshot_id, error, inputs FROM sluice_partitions WHERE asset = ?"
                      + " ORDER BY partition_key",
                  row ->
                      new PartitionState(
                          asset,
                          row.getString("partition_key"),
                          enumValue(row, "status", PartitionStatus.class),
                          row.getString("run_id"),
                          Instant.ofEpochMilli(row.getLong("updated_at")),
                          instantOrNull(row, "materialized_at"),
                          longOrNull(row, "rows_out"),
                          longOrNull(row, "snapshot_id"),
                          row.getString("error"),
                          inputsOf(row.getString("inputs"), asset)),
                  asset)) {
            states.put(state.partition(), state);
          }
          return states;
        });
  }

  private static Map<String, Long> inputsOf(String json, String asset) throws SQLException {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Long>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("The inputs of a partition of " + asset + " are not JSON: " + json, e);
    }
  }
}
