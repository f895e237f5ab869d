package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.project.ClassificationDef;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SeedDef;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.lineage.ColumnDependency;
import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.OutputColumn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classification tags every column of a project holds: declared in source, seed and model
 * properties ({@code classification: [pii, pii.email]}), and inherited along column lineage.
 *
 * <p>Tags flow from an input column to an output column computed from it directly or by a
 * transformation (a copied or lower-cased e-mail is still {@code pii.email}), and through
 * aggregates that return input values ({@code min}, {@code max}, {@code first}, {@code any_value},
 * {@code string_agg}, {@code list}, ...: a {@code min(email)} is an e-mail); not through aggregates
 * that compute a new value ({@code count}, {@code sum}, {@code avg}, ...), nor from filter, join or
 * grouping columns. A model column's declared tags add to what it inherits; an explicit {@code
 * classification: []} with a {@code classification_reason} stops the inheritance.
 *
 * <p>This is the lookup governance uses (masks by tag, access reports): by warehouse table and
 * column name, column names not case-sensitive. Immutable and safe to share between threads.
 */
public final class ColumnTags {
  private final Map<ColumnRef, ColumnClassification> columns;
  private final ProjectLineage lineage;

  private ColumnTags(Map<ColumnRef, ColumnClassification> columns, ProjectLineage lineage) {
    this.columns = Collections.unmodifiableMap(columns);
    this.lineage = lineage;
  }

  /**
   * The tags of the project's columns, declared and inherited, as the access policy reads them
   * (masks by tag): resolved on first use, once, so that a policy without masks by tag never
   * derives the project's lineage.
   */
  public static dev.sluice.governance.ColumnClassification forPolicies(Project project) {
    requireNonNull(project, "project is null");
    java.util.concurrent.atomic.AtomicReference<ColumnTags> resolved =
        new java.util.concurrent.atomic.AtomicReference<>();
    return (table, column) -> {
      ColumnTags tags = resolved.get();
      if (tags == null) {
        synchronized (resolved) {
          tags = resolved.get();
          if (tags == null) {
            tags = of(project);
            resolved.set(tags);
          }
        }
      }
      return tags.tags(table, column);
    };
  }

  /** Resolves the tags of every column of the project, deriving its column lineage. */
  public static ColumnTags of(Project project) {
    return of(project, ProjectLineage.of(project));
  }

  /** Resolves the tags of every column of the project along the given lineage. */
  public static ColumnTags of(Project project, ProjectLineage lineage) {
    requireNonNull(project, "project is null");
    requireNonNull(lineage, "lineage is null");
    Map<ColumnRef, ColumnClassification> resolved = new LinkedHashMap<>();
    for (AssetColumns asset : lineage.assets()) {
      Map<String, ColumnDef> declared = declaredColumns(project, asset.asset());
      Set<String> names = new LinkedHashSet<>();
      asset.columns().forEach(column -> names.add(column.name().toLowerCase(Locale.ROOT)));
      names.addAll(declared.keySet());
      for (String name : names) {
        ColumnRef ref = new ColumnRef(asset.table(), name);
        ColumnDef definition = declared.get(name);
        ClassificationDef classification = definition == null ? null : definition.classification();
        List<TagOrigin> origins = new ArrayList<>();
        if (classification != null) {
          classification
              .tags()
              .forEach(
                  tag -> origins.add(new TagOrigin(tag, classification.location(), null, null)));
        }
        boolean cleared = classification != null && classification.cleared();
        if (!cleared) {
          Optional<OutputColumn> output = asset.column(name);
          for (ColumnDependency input : output.map(OutputColumn::inputs).orElse(List.of())) {
            ColumnClassification upstream = resolved.get(input.column());
            if (upstream == null || !input.carriesValues()) {
              continue;
            }
            for (String tag : upstream.tags()) {
              origins.add(new TagOrigin(tag, null, input.column(), input.kind()));
            }
          }
        }
        if (!origins.isEmpty() || cleared) {
          resolved.put(
              ref,
              new ColumnClassification(
                  ref, asset.asset(), origins, cleared ? classification.reason() : null));
        }
      }
    }
    return new ColumnTags(resolved, lineage);
  }

  private static Map<String, ColumnDef> declaredColumns(Project project, String assetName) {
    Map<String, ColumnDef> declared = new LinkedHashMap<>();
    project
        .findAsset(assetName)
        .map(asset -> asset.map(ModelDef::columns, SeedDef::columns, SourceTableDef::columns))
        .orElse(List.of())
        .forEach(column -> declared.put(column.name().toLowerCase(Locale.ROOT), column));
    return declared;
  }

  /** The lineage the tags were resolved along. */
  public ProjectLineage lineage() {
    return lineage;
  }

  /** The tags a column holds; empty when it holds none (or the table is not the project's). */
  public Set<String> tags(TableName table, String column) {
    return classification(table, column).map(ColumnClassification::tags).orElse(new TreeSet<>());
  }

  /**
   * The column's tags with their origins, if it holds any or declares {@code classification: []}.
   */
  public Optional<ColumnClassification> classification(TableName table, String column) {
    requireNonNull(table, "table is null");
    requireNonNull(column, "column is null");
    return Optional.ofNullable(columns.get(new ColumnRef(table, column)));
  }

  /**
   * Whether a column holds {@code tag} or a tag below it ({@code pii} matches {@code pii.email}).
   */
  public boolean hasTag(TableName table, String column, String tag) {
    return classification(table, column).map(c -> c.hasTag(tag)).orElse(false);
  }

  /** Every column holding {@code tag} or a tag below it, by table and column. */
  public List<ColumnClassification> withTag(String tag) {
    requireNonNull(tag, "tag is null");
    return columns.values().stream()
        .filter(classification -> classification.hasTag(tag))
        .sorted((a, b) -> a.column().compareTo(b.column()))
        .toList();
  }

  /** Every column that holds a tag or declares {@code classification: []}, in graph order. */
  public List<ColumnClassification> all() {
    return List.copyOf(columns.values());
  }

  /** Whether {@code held} is {@code tag} or below it. */
  static boolean matches(String held, String tag) {
    return held.equals(tag) || held.startsWith(tag + ".");
  }
}
