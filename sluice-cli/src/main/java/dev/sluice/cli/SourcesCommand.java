package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.core.project.ColumnTypes;
import dev.sluice.core.project.LoadMode;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.project.SourceTableDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.types.Types;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "sources",
    description =
        "List the project's sources; 'discover SOURCE' shows the columns their tables would load.",
    subcommands = SourcesCommand.Discover.class)
final class SourcesCommand extends BaseCommand {
  @Override
  public Integer call() {
    Project project = loadProject();
    if (json()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (SourceDef source : project.sources().values()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", source.name());
        entry.put("connector", source.connector());
        entry.put("tables", source.tables().stream().map(SourceTableDef::name).toList());
        list.add(entry);
      }
      output().json(list);
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (SourceDef source : project.sources().values()) {
      rows.add(
          List.of(
              source.name(),
              source.connector(),
              String.join(", ", source.tables().stream().map(SourceTableDef::name).toList())));
    }
    output().table(List.of("source", "connector", "tables"), rows);
    return ExitCodes.OK;
  }

  @Command(
      name = "discover",
      description =
          "Show the columns, types, primary key and cursor candidates a source's tables would"
              + " load, read from the source (a database's catalog, the files) without loading.")
  static final class Discover implements Callable<Integer> {
    @ParentCommand SourcesCommand parent;

    @Parameters(paramLabel = "SOURCE", description = "A source of the project.")
    String source;

    @Option(names = "--table", paramLabel = "TABLE", description = "Only this table.")
    String table;

    @Override
    public Integer call() {
      Project project = parent.loadProject();
      SourceDef sourceDef = project.sources().get(source);
      if (sourceDef == null) {
        throw new InvalidInputException(
            "No source '"
                + source
                + "' in the project; the sources are: "
                + String.join(", ", project.sources().keySet()));
      }
      List<SourceTableDef> tables = sourceDef.tables();
      if (table != null) {
        tables =
            List.of(
                sourceDef
                    .table(table)
                    .orElseThrow(
                        () ->
                            new InvalidInputException(
                                "Source '"
                                    + source
                                    + "' has no table '"
                                    + table
                                    + "'; its tables are: "
                                    + String.join(
                                        ", ",
                                        sourceDef.tables().stream()
                                            .map(SourceTableDef::name)
                                            .toList()))));
      }
      SourceConnector connector = SourceConnectors.get(sourceDef.connector());
      List<Map<String, Object>> results = new ArrayList<>();
      Output output = parent.output();
      boolean first = true;
      for (SourceTableDef tableDef : tables) {
        DiscoveredSchema schema;
        try {
          schema =
              connector.discover(
                  tableDef.spec(
                      project.root(), project.environment(), tableDef.mode() == LoadMode.APPEND));
        } catch (UnsupportedOperationException e) {
          throw new InvalidInputException(
              "The "
                  + connector.type()
                  + " connector of source '"
                  + source
                  + "' cannot discover schemas; declare the columns in the source file");
        }
        if (parent.json()) {
          results.add(toJson(tableDef, schema));
          continue;
        }
        if (!first) {
          output.line("");
        }
        first = false;
        output.line(tableDef.assetName() + " (" + connector.type() + ")");
        List<List<String>> rows = new ArrayList<>();
        for (Types.NestedField field : schema.schema().columns()) {
          rows.add(
              List.of(
                  field.name(),
                  ColumnTypes.display(field.type()),
                  schema.primaryKey().contains(field.name()) ? "primary key" : "",
                  schema.cursorCandidates().contains(field.name()) ? "cursor candidate" : ""));
        }
        output.table(List.of("column", "type", "key", "cursor"), rows);
      }
      if (parent.json()) {
        output.json(table != null ? results.get(0) : results);
      }
      return ExitCodes.OK;
    }

    private static Map<String, Object> toJson(SourceTableDef table, DiscoveredSchema schema) {
      List<Map<String, Object>> columns = new ArrayList<>();
      for (Types.NestedField field : schema.schema().columns()) {
        Map<String, Object> column = new LinkedHashMap<>();
        column.put("name", field.name());
        column.put("type", ColumnTypes.display(field.type()));
        columns.add(column);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("source", table.source());
      result.put("table", table.name());
      result.put("columns", columns);
      result.put("primaryKey", schema.primaryKey());
      result.put("cursorCandidates", schema.cursorCandidates());
      return result;
    }
  }
}
