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

  static StepResult run(StepContext context, SeedDef seed) {
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
    SeedSpec spec =
        new SeedSpec(
            seed.name(),
            context.project().root(),
            seed.csvFile(),
            columns.size() == seed.columns().size() ? columns : List.of());
    StagedData staged;
    try {
      staged = seedReader().stageSeed(spec, context.session());
    } catch (DataException e) {
      // the file connector's hint is about source files; a seed can only be fixed
      throw new DataException(
          e.getMessage().replaceFirst("Fix the file, or set on_error: .*$", "")
              + "Fix the seed file "
              + seed.csvFile()
              + " (seeds load all rows or none)",
          e);
    }
    if (staged.nothingNew()) {
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
                StepContext.tableProperties(seed.description(), null, List.of()),
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
