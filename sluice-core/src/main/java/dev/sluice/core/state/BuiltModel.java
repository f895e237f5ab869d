package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model was built from: the fingerprint its table's snapshots carry, its SQL as rendered for
 * a full build, and its metadata (description, owner, tags, columns, checks: what does not change
 * the fingerprint), each facet as canonical text.
 *
 * @param metadata facet name (e.g. {@code description}, {@code checks}) to its canonical text
 */
public record BuiltModel(
    String fingerprint,
    String model,
    String table,
    String compiledSql,
    Map<String, String> metadata,
    Instant recordedAt) {
  public BuiltModel {
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(model, "model is null");
    requireNonNull(table, "table is null");
    requireNonNull(compiledSql, "compiledSql is null");
    requireNonNull(metadata, "metadata is null");
    requireNonNull(recordedAt, "recordedAt is null");
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
  }
}
