package dev.sluice.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.lineage.AssetColumns;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.lineage.ProjectLineage;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.Project;
import dev.sluice.lineage.OutputColumn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the catalog knows of one project's assets: each asset's metadata (description, owner, tier,
 * tags) and columns (declared type and description, classification tags, declared and inherited
 * along column lineage), with the project's column lineage. Derived once per loaded project (the
 * lineage parses every model's SQL) and kept while the project is the one served.
 */
public final class AssetCatalog {
  /**
   * One column of an asset.
   *
   * @param type the declared type, or null
   * @param description the declared description, or null
   * @param tags its classification tags, declared and inherited, sorted
   */
  public record Column(String name, String type, String description, Set<String> tags) {
    public Column {
      requireNonNull(name, "name is null");
      tags = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(tags));
    }
  }

  /**
   * One asset as the catalog shows it.
   *
   * @param kind model, seed or source
   * @param description its description, or null
   * @param owner its owner, or null
   * @param tier its tier, or null
   * @param tags its tags (not its columns')
   */
  public record Entry(
      Asset asset,
      String kind,
      String description,
      String owner,
      String tier,
      List<String> tags,
      List<Column> columns) {
    public Entry {
      requireNonNull(asset, "asset is null");
      tags = List.copyOf(tags);
      columns = List.copyOf(columns);
    }

    public String name() {
      return asset.name();
    }
  }

  private final Project project;
  private final ColumnTags columnTags;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private final Function<TableName, List<StoredColumn>> stored;

  /** A column of a table as the lake stores it. */
  public record StoredColumn(String name, String type) {}

  private AssetCatalog(Project project, Function<TableName, List<StoredColumn>> stored) {
    this.project = project;
    this.stored = stored;
    this.columnTags = ColumnTags.of(project);
    for (String name : project.graph().topologicalOrder()) {
      Asset asset = project.asset(name);
      entries.put(name, entry(asset));
    }
  }

  /**
   * The catalog of {@code project}, derived now.
   *
   * @param stored the columns of a table as stored (for the columns no project file declares and
   *     lineage cannot derive, such as a seed's or a {@code select *}'s), empty when not built yet
   */
  public static AssetCatalog of(Project project, Function<TableName, List<StoredColumn>> stored) {
    return new AssetCatalog(
        requireNonNull(project, "project is null"), requireNonNull(stored, "stored is null"));
  }

  /** The project it describes. */
  public Project project() {
    return project;
  }

  /** The project's column lineage. */
  public ProjectLineage lineage() {
    return columnTags.lineage();
  }

  /** Every asset, in the graph's topological order. */
  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** The asset of that name. */
  public java.util.Optional<Entry> entry(String name) {
    return java.util.Optional.ofNullable(entries.get(name));
  }

  private Entry entry(Asset asset) {
    String kind = asset.stepKind().name().toLowerCase(Locale.ROOT);
    String description =
        asset.map(
            model -> model.description(),
            seed -> seed.description(),
            source -> source.description());
    String owner = asset.map(model -> model.owner(), seed -> null, source -> source.owner());
    String tier = asset.map(model -> model.tier(), seed -> null, source -> null);
    List<String> tags =
        asset.map(model -> model.tags(), seed -> List.<String>of(), source -> source.tags());
    Map<String, ColumnDef> declared = new LinkedHashMap<>();
    for (ColumnDef column : asset.definition().columns()) {
      declared.put(column.name().toLowerCase(Locale.ROOT), column);
    }
    List<String> names = new ArrayList<>();
    AssetColumns derived = columnTags.lineage().asset(asset.name()).orElse(null);
    if (derived != null) {
      for (OutputColumn column : derived.columns()) {
        names.add(column.name());
      }
    }
    for (ColumnDef column : declared.values()) {
      if (names.stream().noneMatch(name -> name.equalsIgnoreCase(column.name()))) {
        names.add(column.name());
      }
    }
    Map<String, String> storedTypes = new LinkedHashMap<>();
    for (StoredColumn column : stored.apply(asset.tableName())) {
      storedTypes.put(column.name().toLowerCase(Locale.ROOT), column.type());
      if (names.stream().noneMatch(name -> name.equalsIgnoreCase(column.name()))) {
        names.add(column.name());
      }
    }
    List<Column> columns = new ArrayList<>();
    for (String name : names) {
      ColumnDef column = declared.get(name.toLowerCase(Locale.ROOT));
      String type = column == null ? null : column.type();
      columns.add(
          new Column(
              name,
              type == null ? storedTypes.get(name.toLowerCase(Locale.ROOT)) : type,
              column == null ? null : column.description(),
              columnTags.tags(asset.tableName(), name)));
    }
    return new Entry(asset, kind, description, owner, tier, tags, columns);
  }
}
