package dev.sluice.core.run;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.SeedSpec;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ColumnTypes;
import dev.sluice.core.project.SeedDef;
import dev.sluice.core.state.StepKind;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.WriteOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads one seed CSV into the curated zone, replacing its table. */
final class SeedStep {
  private SeedStep() {}

  /** The installed connector that reads seeds (the file connector). */
  private static SourceConnector seedReader() {
    return SourceConnectors.all().stream()
        .filter(connector -> connector.supports(SourceConnector.Capability.READS_SEEDS))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "No installed connector reads seeds; put the file connector"
                        + " (sluice-connectors) on the class path"));
  }

  private static StagedData stage(
      StepContext context, SeedDef seed, List<SourceTableSpec.Column> columns) {
    return seedReader()
        .stageSeed(
            new SeedSpec(
                seed.name(),
                context.project().root(),
                seed.csvFile(),
                columns,
                seed.format().delimiter()),
            context.session());
  }

  /**
   * The seed's columns with the types its {@code column_types} give, the others' inferred from
   * their values as without any (the file is read once to infer them: seeds are small), so that a
   * typed column's values are read as that type, never converted from the inferred one (a {@code
   * varchar} zip code keeps its leading zeros).
   *
   * @return null when the file is missing
   * @throws DataException when {@code column_types} names a column the file does not have
   */
  private static List<SourceTableSpec.Column> typedColumns(StepContext context, SeedDef seed) {
    StagedData inferred = stage(context, seed, List.of());
    if (inferred.nothingNew()) {
      return null;
    }
    org.apache.iceberg.Schema schema;
    try {
      schema =
          context
              .session()
              .describe(
                  "SELECT * EXCLUDE (_source_file) FROM " + TableName.quote(inferred.relation()));
    } finally {
      context.session().dropTemporaryTable(inferred.relation());
    }
    Map<String, String> types = new java.util.HashMap<>();
    seed.format()
        .columnTypes()
        .forEach((column, type) -> types.put(column.toLowerCase(java.util.Locale.ROOT), type));
    List<SourceTableSpec.Column> columns = new ArrayList<>();
    for (org.apache.iceberg.types.Types.NestedField field : schema.columns()) {
      String type = types.remove(field.name().toLowerCase(java.util.Locale.ROOT));
      columns.add(
          new SourceTableSpec.Column(
              field.name(),
              type == null ? field.type() : ColumnTypes.parse(type, seed.location())));
    }
    if (!types.isEmpty()) {
      throw new DataException(
          "column_types of seed "
              + seed.name()
              + " names "
              + types.keySet()
              + ", which "
              + seed.csvFile()
              + " does not have; its columns are "
              + columns.stream().map(SourceTableSpec.Column::name).toList()
              + ". ");
    }
    return columns;
  }

  static StepResult run(StepContext context, SeedDef seed) {
    // a dbt seed's hooks: pre-hooks before the load, post-hooks once it is published
    Set<TableName> readable = Set.of(seed.tableName());
    DbtHookRunner.before(context, seed.name(), seed.tableName(), readable);
    return DbtHookRunner.after(
        context, seed.name(), seed.tableName(), readable, load(context, seed));
  }

  private static StepResult load(StepContext context, SeedDef seed) {
    Instant started = context.now();
    TableName target = seed.tableName();
    List<SourceTableSpec.Column> columns = new ArrayList<>();
    for (ColumnDef column : seed.columns()) {
      if (column.type() != null) {
        columns.add(
            new SourceTableSpec.Column(
                column.name(), ColumnTypes.parse(column.type(), column.location())));
      }
    }
    StagedData staged;
    try {
      if (seed.format().columnTypes().isEmpty()) {
        staged =
            stage(context, seed, columns.size() == seed.columns().size() ? columns : List.of());
      } else {
        List<SourceTableSpec.Column> typed = typedColumns(context, seed);
        staged = typed == null ? null : stage(context, seed, typed);
      }
    } catch (DataException e) {
      // the file connector's hint is about source files; a seed can only be fixed
      throw new DataException(
          e.getMessage().replaceFirst("Fix the file, or set on_error: .*$", "")
              + "Fix the seed file "
              + seed.csvFile()
              + " (seeds load all rows or none)",
          e);
    }
    if (staged == null || staged.nothingNew()) {
      return StepResult.skipped(
          seed.name(),
          StepKind.SEED,
          target.toString(),
          "seed file " + seed.csvFile() + " not found");
    }
    AuditedWrite.Outcome outcome =
        new AuditedWrite(context.lake(), context.session(), context.checkRunner(target))
            .profiled(context.profiler())
            .countingInto(context.tally())
            .write(
                target,
                "SELECT * EXCLUDE (_source_file) FROM " + TableName.quote(staged.relation()),
                SchemaChange.REPLACE,
                WriteOperation.replaceAll(),
                StepContext.columnDocs(seed.columns()),
                context.writtenTableProperties(seed, seed.description(), null, List.of()),
                Map.of("sluice.run-id", context.runId()),
                seed.allChecks(),
                context.auditBranch());
    return Steps.written(
            StepResult.builder(seed.name(), StepKind.SEED, target.toString())
                .rowsIn(staged.rows())
                .bytesIn(staged.bytesRead()),
            outcome,
            target,
            Duration.between(started, context.now()),
            "seed loaded")
        .build();
  }
}
