package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.SourceTableSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One table of a source, loaded into {@code raw.<source>_<table>}.
 *
 * @param path for file sources, a glob relative to the project root; it may match no file yet;
 *     empty for other connectors
 * @param format for file sources, {@code csv}, {@code json} or {@code parquet}; empty for others
 * @param mode for other connectors, {@code FULL} unless the {@code mode} option asks for more
 * @param csvOptions the {@code csv:} options as written ({@code delimiter}, {@code header}, {@code
 *     quote}); empty for other formats
 * @param description the description, or null
 * @param owner the owner, or null
 * @param options for connectors other than {@code file}: the values of the connector's options (the
 *     source's, overridden by the table's), as written: secrets are references such as {@code
 *     ${env:NAME}}, resolved only by {@link #resolveOptions}; for file sources reading {@code
 *     s3://} paths, the {@code s3:} settings (of sluice.yaml, overridden by the source's)
 * @param optionLocations where each option was written
 * @param secretOptions the names of the options that are secrets
 * @param schemaDrift what a load does when the source's columns no longer match the table's
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
    Execution execution,
    Map<String, String> options,
    Map<String, Location> optionLocations,
    Set<String> secretOptions,
    SchemaDrift schemaDrift) {
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
    options = Copies.orderedMap(options);
    optionLocations = Copies.orderedMap(optionLocations);
    secretOptions = Set.copyOf(secretOptions);
    requireNonNull(schemaDrift, "schemaDrift is null");
  }

  /** A table whose schema evolves with its source. */
  public SourceTableDef(
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
      Execution execution,
      Map<String, String> options,
      Map<String, Location> optionLocations,
      Set<String> secretOptions) {
    this(
        source,
        name,
        path,
        format,
        mode,
        onError,
        csvOptions,
        description,
        owner,
        tags,
        columns,
        checks,
        location,
        execution,
        options,
        optionLocations,
        secretOptions,
        SchemaDrift.EVOLVE);
  }

  /**
   * The option values with every reference ({@code ${env:NAME}}, {@code ${file:path}}) replaced by
   * what it refers to. The result holds secrets: hand it only to the connector.
   *
   * @param root the project directory, which {@code ${file:path}} is relative to
   * @param environment the environment variables {@code ${env:NAME}} reads
   * @throws ProjectException naming the file and line of each reference that cannot be resolved,
   *     never a secret's value
   */
  public Map<String, String> resolveOptions(Path root, Function<String, String> environment) {
    Problems problems = new Problems();
    Secrets secrets = new Secrets(root, environment, problems);
    Map<String, String> resolved = new LinkedHashMap<>();
    options.forEach(
        (key, value) -> {
          if (secretOptions.contains(key) || value.strip().startsWith("${")) {
            secrets
                .resolve(
                    value,
                    assetName() + " option " + key,
                    optionLocations.getOrDefault(key, location))
                .ifPresent(secret -> resolved.put(key, secret));
          } else {
            resolved.put(key, value);
          }
        });
    problems.throwIfAny();
    return resolved;
  }

  /**
   * The table as its connector is given it, secrets resolved: hand it only to the connector.
   *
   * @param append whether a load reads only what is new (see {@link SourceTableSpec#append()})
   * @throws ProjectException for a reference that cannot be resolved
   * @throws InvalidInputException for a table that declares types for some columns only
   */
  public SourceTableSpec spec(Path root, Function<String, String> environment, boolean append) {
    List<SourceTableSpec.Column> declared = new ArrayList<>();
    for (ColumnDef column : columns) {
      if (column.type() != null) {
        declared.add(
            new SourceTableSpec.Column(
                column.name(), ColumnTypes.parse(column.type(), column.location())));
      }
    }
    if (!declared.isEmpty() && declared.size() != columns.size()) {
      throw new InvalidInputException(
          location
              + ": declare a type for every column of "
              + assetName()
              + ", or for none to infer them");
    }
    // options may hold secrets (a connector's, a file source's S3 credentials): they are resolved
    // only now, for the connector
    Map<String, String> resolved = new LinkedHashMap<>();
    if (!path.isEmpty()) {
      // a file source's path and format are options of the file connector
      resolved.put("path", path);
      resolved.put("format", format);
    }
    resolved.putAll(csvOptions);
    if (!options.isEmpty()) {
      resolved.putAll(resolveOptions(root, environment));
    }
    return new SourceTableSpec(
        source, name, root, append, onError == OnError.QUARANTINE, resolved, declared);
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
