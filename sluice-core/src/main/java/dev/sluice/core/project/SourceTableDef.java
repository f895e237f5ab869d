package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.List;
import java.util.Map;

/**
 * One table of a source, loaded into {@code raw.<source>_<table>}.
 *
 * @param path a glob relative to the project root; it may match no file yet
 * @param format {@code csv}, {@code json} or {@code parquet}
 * @param csvOptions the {@code csv:} options as written ({@code delimiter}, {@code header}, {@code
 *     quote}); empty for other formats
 * @param description the description, or null
 * @param owner the owner, or null
 */
public record SourceTableDef(
    String source,
    String name,
    String path,
    String format,
    LoadMode mode,
    OnError onError,
    Map<String, String> csvOptions,
    String description,
    String owner,
    List<String> tags,
    List<ColumnDef> columns,
    List<CheckDef> checks,
    Location location,
    Execution execution) {
  public SourceTableDef {
    requireNonNull(source, "source is null");
    requireNonNull(name, "name is null");
    requireNonNull(path, "path is null");
    requireNonNull(format, "format is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(onError, "onError is null");
    requireNonNull(csvOptions, "csvOptions is null");
    requireNonNull(tags, "tags is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(location, "location is null");
    csvOptions = Copies.orderedMap(csvOptions);
    tags = List.copyOf(tags);
    columns = List.copyOf(columns);
    checks = List.copyOf(checks);
  }

  /** The table the source table is loaded into: {@code raw.<source>_<table>}. */
  public TableName tableName() {
    return new TableName("raw", source + "_" + name);
  }

  /** The asset name in the graph: {@code <source>.<table>}. */
  public String assetName() {
    return source + "." + name;
  }
}
