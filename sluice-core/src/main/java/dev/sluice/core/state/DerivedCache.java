package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.list;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What a command derived from inputs that did not change since, by a key of those inputs (migration
 * V28): {@code sluice validate}'s output schema of each model ({@link Kind#COMPILED_MODEL}) and its
 * column lineage's verdict ({@link Kind#MODEL_LINEAGE}), the fingerprint, columns and branches of
 * each table's metadata file ({@link Kind#TABLE_SUMMARY}). One entry per kind and name; an entry is
 * valid only while its key is the one its user computes from the inputs now, so a stale entry is
 * never used, only replaced. Read whole (one query per kind), written in one batch.
 */
public final class DerivedCache {
  /** What is kept. */
  public enum Kind {
    /** A model's output schema, by a hash of its SQL, its inputs' schemas, engine and version. */
    COMPILED_MODEL("compiled-model"),
    /** What a table's metadata file holds that a comparison reads, by the file's location. */
    TABLE_SUMMARY("table-summary"),
    /**
     * A model's column names, or why its column lineage cannot be derived, by a hash of its
     * rendered SQL and of the schemas its analysis looked up.
     */
    MODEL_LINEAGE("model-lineage");

    private final String stored;

    Kind(String stored) {
      this.stored = stored;
    }
  }

  /**
   * One kept value.
   *
   * @param key what the value was derived from (a hash, a metadata file's location)
   * @param value the value, as its user wrote it (JSON)
   */
  public record Entry(String key, String value) {
    public Entry {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
    }
  }

  /**
   * A key hashed from parts (SHA-256, hex): each part's length goes in before it, so that the parts
   * {@code "ab","c"} and {@code "a","bc"} hash apart.
   */
  public static final class KeyHash {
    private final MessageDigest digest;

    /** A key whose first part is {@code format}: change it when what is hashed, or how, changes. */
    public KeyHash(String format) {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
      add(format);
    }

    /** Adds one part. */
    public KeyHash add(String part) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      digest.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
      digest.update(bytes);
      return this;
    }

    /** The key of the parts added, in hex. */
    public String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  private final StateTransactions transactions;

  DerivedCache(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Every entry of a kind, by name. */
  public Map<String, Entry> all(Kind kind) {
    requireNonNull(kind, "kind is null");
    List<Map.Entry<String, Entry>> rows =
        transactions.read(
            "read the kept " + kind.stored + " entries",
            connection ->
                list(
                    connection,
                    "SELECT name, cache_key, value FROM sluice_derived_cache WHERE kind = ?",
                    row ->
                        Map.entry(row.getString(1), new Entry(row.getString(2), row.getString(3))),
                    kind.stored));
    Map<String, Entry> entries = new HashMap<>();
    rows.forEach(row -> entries.put(row.getKey(), row.getValue()));
    return entries;
  }

  /**
   * Keeps these entries, each replacing the one of its name, and forgets the entries of {@code
   * forgotten} (names that no longer exist), in one transaction.
   */
  public void put(Kind kind, Map<String, Entry> entries, Collection<String> forgotten, Instant at) {
    requireNonNull(kind, "kind is null");
    if (entries.isEmpty() && forgotten.isEmpty()) {
      return;
    }
    List<Object[]> upserts = new ArrayList<>();
    entries.forEach(
        (name, entry) ->
            upserts.add(
                new Object[] {kind.stored, name, entry.key(), entry.value(), at.toEpochMilli()}));
    List<Object[]> deletes = new ArrayList<>();
    forgotten.forEach(name -> deletes.add(new Object[] {kind.stored, name}));
    transactions.write(
        "keep " + entries.size() + " " + kind.stored + " entries",
        connection -> {
          // ON CONFLICT rather than UPDATE-then-INSERT: two commands may keep the same name at once
          batch(
              connection,
              "INSERT INTO sluice_derived_cache (kind, name, cache_key, value, recorded_at)"
                  + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET"
                  + " cache_key = excluded.cache_key, value = excluded.value,"
                  + " recorded_at = excluded.recorded_at",
              upserts);
          batch(
              connection, "DELETE FROM sluice_derived_cache WHERE kind = ? AND name = ?", deletes);
          return null;
        });
  }
}
