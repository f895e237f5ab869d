package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What each model was built from, by fingerprint (migration V18): the rendered SQL and metadata of
 * the builds of production and of every environment, which {@code sluice plan} compares with the
 * project to classify a change. The SQL of a fingerprint never changes (the fingerprint is its
 * hash); its metadata is the last build's.
 */
public final class BuiltModels {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> FACETS = new TypeReference<>() {};

  private final StateTransactions transactions;

  BuiltModels(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Records a build of a model: its SQL once per fingerprint, its metadata as of this build. */
  public void record(BuiltModel built) {
    requireNonNull(built, "built is null");
    String metadata = toJson(built.metadata());
    transactions.write(
        "record what model " + built.model() + " was built from",
        connection -> {
          int updated =
              update(
                  connection,
                  "UPDATE sluice_built_models SET metadata = ?, recorded_at = ? WHERE fingerprint = ?",
                  metadata,
                  built.recordedAt(),
                  built.fingerprint());
          if (updated == 0) {
            update(
                connection,
                "INSERT INTO sluice_built_models (fingerprint, model, table_name, compiled_sql,"
                    + " metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                built.fingerprint(),
                built.model(),
                built.table(),
                built.compiledSql(),
                metadata,
                built.recordedAt());
          }
          return null;
        });
  }

  /** What the build with this fingerprint was made from, or empty when none was recorded. */
  public Optional<BuiltModel> find(String fingerprint) {
    requireNonNull(fingerprint, "fingerprint is null");
    return transactions.read(
        "read what a model was built from",
        connection ->
            first(
                connection,
                "SELECT fingerprint, model, table_name, compiled_sql, metadata, recorded_at"
                    + " FROM sluice_built_models WHERE fingerprint = ?",
                row ->
                    new BuiltModel(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        fromJson(row.getString(5)),
                        Instant.ofEpochMilli(row.getLong(6))),
                fingerprint));
  }

  private static String toJson(Map<String, String> facets) {
    try {
      return JSON.writeValueAsString(facets);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write model metadata as JSON", e);
    }
  }

  private static Map<String, String> fromJson(String text) throws SQLException {
    try {
      return JSON.readValue(text, FACETS);
    } catch (JsonProcessingException e) {
      throw new SQLException(
          "sluice_built_models.metadata is not a JSON object of strings: " + e.getOriginalMessage(),
          e);
    }
  }
}
