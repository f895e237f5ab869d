package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.ParquetCompression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One table of a source, loaded into {@code raw.<source>_<table>}. Build it with {@link
 * #builder(String, String)}.
 *
 * @param mode whether a load reads only what is new ({@code APPEND}) or everything ({@code FULL}),
 *     as the connector tells from the table's options ({@link SourceConnector#incremental})
 * @param description the description, or null
 * @param owner the owner, or null
 * @param options the values of the connector's options (the source's, overridden by the table's,
 *     wherever the connector places them: e.g. a file source's {@code path:} and {@code csv:}), as
 *     written: secrets are references such as {@code ${env:NAME}}, resolved only by {@link
 *     #resolveOptions}
 * @param optionLocations where each option was written
 * @param secretOptions the names of the options that are secrets
 * @param schemaDrift what a load does when the source's columns no longer match the table's
 * @param origin where the table is read from, in a few words ({@link SourceConnector#origin}), e.g.
 *     a file source's path; empty when the connector says nothing
 * @param retention how long the table keeps its rows ({@code retention:}), or null
 * @param maintenance the table's own {@code maintenance:} settings, or null
 * @param contract the contract the table is loaded to, or null
 * @param freshness {@code freshness:} and {@code slo:} of the table, else of its source, or null
 * @param parquet how the table's data files are compressed (its {@code parquet:}), or null for the
 *     project's {@code parquet:}
 */
public record SourceTableDef(
    String source,
    String name,
    LoadMode mode,
    OnError onError,
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
    SchemaDrift schemaDrift,
    String origin,
    RetentionDef retention,
    MaintenanceDef maintenance,
    ContractDef contract,
    FreshnessDef freshness,
    ParquetCompression parquet)
    implements AssetDefinition {
  public SourceTableDef {
    requireNonNull(source, "source is null");
    requireNonNull(name, "name is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(onError, "onError is null");
    requireNonNull(tags, "tags is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(location, "location is null");
    requireNonNull(schemaDrift, "schemaDrift is null");
    requireNonNull(origin, "origin is null");
    tags = List.copyOf(tags);
    columns = List.copyOf(columns);
    checks = List.copyOf(checks);
    options = Copies.orderedMap(options);
    optionLocations = Copies.orderedMap(optionLocations);
    secretOptions = Set.copyOf(secretOptions);
  }

  /** A builder of a table named {@code name} of source {@code source}. */
  public static Builder builder(String source, String name) {
    return new Builder(source, name);
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
    // options may hold secrets (a database password, S3 credentials): they are resolved only now,
    // for the connector
    Map<String, String> resolved = options.isEmpty() ? Map.of() : resolveOptions(root, environment);
    return new SourceTableSpec(
        source, name, root, append, onError == OnError.QUARANTINE, resolved, declared);
  }

  /** The table the source table is loaded into: {@code raw.<source>_<table>}. */
  @Override
  public TableName tableName() {
    return new TableName("raw", source + "_" + name);
  }

  /** The asset name in the graph: {@code <source>.<table>}. */
  public String assetName() {
    return source + "." + name;
  }

  /** Builds a {@link SourceTableDef}; what is not set is empty, {@code FULL}, {@code FAIL}. */
  public static final class Builder extends AssetBuilder<Builder> {
    private final String source;
    private final String name;
    private LoadMode mode = LoadMode.FULL;
    private OnError onError = OnError.FAIL;
    private Location location;
    private Map<String, String> options = Map.of();
    private Map<String, Location> optionLocations = Map.of();
    private Set<String> secretOptions = Set.of();
    private SchemaDrift schemaDrift = SchemaDrift.EVOLVE;
    private String origin = "";

    private Builder(String source, String name) {
      super(null);
      this.source = requireNonNull(source, "source is null");
      this.name = requireNonNull(name, "name is null");
    }

    public Builder mode(LoadMode mode) {
      this.mode = mode;
      return this;
    }

    public Builder onError(OnError onError) {
      this.onError = onError;
      return this;
    }

    public Builder location(Location location) {
      this.location = location;
      return this;
    }

    /** The options as written, where each was written, and which of them are secrets. */
    public Builder options(
        Map<String, String> options,
        Map<String, Location> optionLocations,
        Set<String> secretOptions) {
      this.options = options;
      this.optionLocations = optionLocations;
      this.secretOptions = secretOptions;
      return this;
    }

    public Builder schemaDrift(SchemaDrift schemaDrift) {
      this.schemaDrift = schemaDrift;
      return this;
    }

    public Builder origin(String origin) {
      this.origin = origin;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    public SourceTableDef build() {
      return new SourceTableDef(
          source,
          name,
          mode,
          onError,
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
          schemaDrift,
          origin,
          retention,
          maintenance,
          contract,
          freshness,
          parquet);
    }
  }
}
