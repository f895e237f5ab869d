package dev.sluice.core.lineage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.TableName;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.DerivedCache;
import dev.sluice.lineage.ColumnLineage;
import dev.sluice.lineage.LineageResult;
import dev.sluice.lineage.OutputColumn;
import dev.sluice.lineage.QueryLineage;
import dev.sluice.lineage.RelationSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the analysis of each model's SQL said the last time ({@link
 * DerivedCache.Kind#MODEL_LINEAGE}): its column names, or why its lineage cannot be derived, with
 * the tables the analysis looked up and their schemas then. The analysis is a function of the SQL
 * and of the answers to those look-ups, so the kept verdict stands while the rendered SQL and every
 * looked-up schema are unchanged (the key hashes them; an input that changed its columns, a table
 * that appeared, gives another key and the model is analysed again). A verdict reached without
 * looking a table up is not kept: it may be the parser's time-out, which another try need not
 * repeat. {@code sluice validate} of 10,000 unchanged models parsed every one of them for its
 * warnings (docs/benchmarks.md).
 *
 * <p>A kept verdict yields the column names only, without what each is computed from: this serves
 * {@link ProjectLineage#notDerivable(Project, DerivedCache, Instant)}, never a whole lineage.
 */
final class ModelLineageCache {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Changes when what a key hashes, or how, changes: every kept verdict is then found again. */
  private static final String KEY_FORMAT = "model-lineage/1";

  /**
   * What is kept of one model.
   *
   * @param lookups each table the analysis looked up, in order, with its schema then (null: none)
   * @param columns the model's columns when its lineage was derived, else null
   * @param reason why its lineage cannot be derived, else null
   */
  record Kept(List<Lookup> lookups, List<String> columns, String reason) {}

  /**
   * One look-up of the analysis.
   *
   * @param zone the zone of the table looked up
   * @param name its name
   * @param columns its known columns, null when it had no schema
   * @param complete whether those are all its columns
   */
  record Lookup(String zone, String name, List<String> columns, boolean complete) {}

  private final DerivedCache cache;
  private final Map<String, DerivedCache.Entry> kept;
  private final Map<String, DerivedCache.Entry> found = new HashMap<>();

  private ModelLineageCache(DerivedCache cache, Map<String, DerivedCache.Entry> kept) {
    this.cache = cache;
    this.kept = kept;
  }

  /** The verdicts kept in {@code cache}. */
  static ModelLineageCache read(DerivedCache cache) {
    return new ModelLineageCache(cache, cache.all(DerivedCache.Kind.MODEL_LINEAGE));
  }

  /** The lineage of a model's SQL: the kept verdict when its key holds, else analysed anew. */
  LineageResult analyze(
      String model, String sql, Function<TableName, Optional<RelationSchema>> schemas) {
    DerivedCache.Entry entry = kept.get(model);
    if (entry != null) {
      Kept verdict = parse(entry.value());
      if (verdict != null && key(sql, verdict.lookups(), schemas).equals(entry.key())) {
        return verdict.reason() != null
            ? new LineageResult.NotDerivable(verdict.reason())
            : new LineageResult.Derived(
                new QueryLineage(
                    verdict.columns().stream()
                        .map(column -> new OutputColumn(column, List.of()))
                        .toList(),
                    List.of()));
      }
    }
    Map<TableName, Optional<RelationSchema>> lookedUp = new LinkedHashMap<>();
    LineageResult result =
        ColumnLineage.analyze(
            sql, table -> lookedUp.computeIfAbsent(table, unused -> schemas.apply(table)));
    boolean derived = result instanceof LineageResult.Derived;
    if (derived || !lookedUp.isEmpty()) {
      List<Lookup> lookups = new ArrayList<>();
      lookedUp.forEach(
          (table, schema) ->
              lookups.add(
                  new Lookup(
                      table.zone(),
                      table.name(),
                      schema.map(RelationSchema::columns).orElse(null),
                      schema.map(RelationSchema::complete).orElse(false))));
      Kept verdict =
          result instanceof LineageResult.Derived fresh
              ? new Kept(
                  lookups,
                  fresh.lineage().columns().stream().map(OutputColumn::name).toList(),
                  null)
              : new Kept(lookups, null, ((LineageResult.NotDerivable) result).reason());
      found.put(model, new DerivedCache.Entry(key(sql, lookups, schemas), write(verdict)));
    }
    return result;
  }

  /** Keeps what was analysed anew, and forgets the models the project no longer has. */
  void write(Project project, Instant now) {
    List<String> gone =
        kept.keySet().stream().filter(name -> !project.models().containsKey(name)).toList();
    cache.put(DerivedCache.Kind.MODEL_LINEAGE, found, gone, now);
  }

  /** The key of a verdict: the SQL and the look-ups' schemas as they are now. */
  private static String key(
      String sql, List<Lookup> lookups, Function<TableName, Optional<RelationSchema>> schemas) {
    DerivedCache.KeyHash key =
        new DerivedCache.KeyHash(KEY_FORMAT).add(SluiceVersion.current()).add(sql);
    for (Lookup lookup : lookups) {
      key.add(lookup.zone()).add(lookup.name());
      Optional<RelationSchema> schema = schemas.apply(new TableName(lookup.zone(), lookup.name()));
      if (schema.isEmpty()) {
        key.add("absent");
      } else {
        key.add(schema.get().complete() ? "complete" : "partial");
        key.add(Integer.toString(schema.get().columns().size()));
        schema.get().columns().forEach(key::add);
      }
    }
    return key.hex();
  }

  private static Kept parse(String value) {
    try {
      return JSON.readValue(value, Kept.class);
    } catch (JsonProcessingException e) {
      return null; // written by another format: analysed anew, and replaced
    }
  }

  private static String write(Kept verdict) {
    try {
      return JSON.writeValueAsString(verdict);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a model's lineage verdict", e);
    }
  }
}
