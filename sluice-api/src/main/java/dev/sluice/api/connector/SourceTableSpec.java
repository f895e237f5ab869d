package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.sql.Identifiers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Type;

/**
 * One table of a source as the project declares it.
 *
 * @param source the source's name
 * @param table the table's name within the source
 * @param projectDirectory the project root that relative paths start from
 * @param append whether only new files are read (else all files, replacing the table); for other
 *     connectors, whether a load may read only what is new since its state
 * @param quarantine whether malformed records are staged as rejected instead of failing
 * @param options the values of the connector's {@link SourceConnector#options()}, e.g. a file
 *     source's {@code path}, {@code format} and {@code delimiter} (secrets resolved; {@link
 *     #toString()} shows no option value)
 * @param columns the declared columns, or empty to infer them
 */
public record SourceTableSpec(
    String source,
    String table,
    Path projectDirectory,
    boolean append,
    boolean quarantine,
    Map<String, String> options,
    List<Column> columns) {
  public SourceTableSpec {
    requireNonNull(source, "source is null");
    requireNonNull(table, "table is null");
    requireNonNull(projectDirectory, "projectDirectory is null");
    options = Map.copyOf(options);
    columns = List.copyOf(columns);
  }

  /** The table as messages name it, e.g. {@code source table 'shop.orders'}. */
  public String described() {
    return "source table '" + source + "." + table + "'";
  }

  /**
   * The name a connector gives the temporary table it stages this table in, {@code
   * stage_<source>_<table>} with every character that is not a letter, digit or underscore
   * replaced; its other temporary tables start with it.
   */
  public String stagingName() {
    return "stage_" + Identifiers.sanitize(source) + "_" + Identifiers.sanitize(table);
  }

  /** The spec with option values left out, since some of them may be secrets. */
  @Override
  public String toString() {
    return "SourceTableSpec[source="
        + source
        + ", table="
        + table
        + ", append="
        + append
        + ", quarantine="
        + quarantine
        + ", options="
        + options.keySet()
        + ", columns="
        + columns
        + "]";
  }

  /** A declared column. */
  public record Column(String name, Type type) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(type, "type is null");
    }
  }
}
