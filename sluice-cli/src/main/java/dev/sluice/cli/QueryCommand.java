package dev.sluice.cli;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "query",
    description =
        "Run a read query over the warehouse, e.g. \"select * from published.revenue limit 10\".")
final class QueryCommand extends BaseCommand {
  enum Format {
    table,
    csv,
    json
  }

  @Parameters(paramLabel = "SQL", description = "The query; tables are named zone.table.")
  String sql;

  @Option(
      names = {"-f", "--format"},
      defaultValue = "table",
      description = "table (default), csv or json.")
  Format format;

  @Option(
      names = "--as-of",
      paramLabel = "SNAPSHOT|TIMESTAMP",
      description = "Read the tables as of a snapshot id or an ISO timestamp (time travel).")
  String asOf;

  @Option(
      names = "--as",
      paramLabel = "PRINCIPAL",
      description =
          "Run as this user or group of policies.yaml: what it would see, its grants, masks and"
              + " row filters applied (an owner's preview).")
  String as;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "Read environment NAME: its branch of the tables it built, production's of the others.")
  String environment;

  @Option(
      names = "--limit",
      defaultValue = "10000",
      description = "At most this many rows (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if (environment != null && asOf != null) {
      throw new dev.sluice.api.InvalidInputException(
          "--env and --as-of cannot be combined: read an environment's current tables, or"
              + " production's at a time");
    }
    ReadPoint readPoint = asOf == null ? ReadPoint.main() : ReadPoint.parse(asOf);
    // on the command's clock: a time-bound grant holds until the time it reads
    // the warehouse and DuckDB open while the project loads
    try (Workspace workspace =
        Workspace.open(startLoadingProject(), target(), clock(), Workspace.localPrincipal())) {
      if (environment != null) {
        new dev.sluice.core.env.Environments(workspace).requireExists(environment);
        readPoint = ReadPoint.environment(environment);
      }
      QueryService queries = new QueryService(workspace);
      QueryResult result =
          as == null
              ? queries.query(sql, readPoint, limit)
              : queries.query(sql, readPoint, limit, queries.principal(as));
      print(output(), result, json() ? Format.json : format);
      if (result.truncated()) {
        output().message("(showing the first " + limit + " rows; use --limit to see more)");
      }
      return ExitCodes.OK;
    }
  }

  static void print(Output output, QueryResult result, Format format) {
    switch (format) {
      case table -> {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : result.rows()) {
          List<String> cells = new ArrayList<>();
          for (Object value : row) {
            cells.add(text(value));
          }
          rows.add(cells);
        }
        output.table(result.columns(), rows);
        output.message(
            "(" + result.rows().size() + (result.rows().size() == 1 ? " row)" : " rows)"));
      }
      case csv -> {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        result.columns().forEach(schema::addColumn);
        try (SequenceWriter writer =
            new CsvMapper().writer(schema.build()).writeValues(output.out())) {
          for (List<Object> row : result.rows()) {
            List<String> cells = new ArrayList<>();
            for (Object value : row) {
              cells.add(value == null ? "" : text(value));
            }
            writer.write(cells);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        output.out().flush();
      }
      case json -> {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Object> row : result.rows()) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int i = 0; i < result.columns().size(); i++) {
            Object value = row.get(i);
            values.put(
                result.columns().get(i),
                value == null
                        || value instanceof Number
                        || value instanceof Boolean
                        || value instanceof List<?>
                    ? value
                    : text(value));
          }
          rows.add(values);
        }
        output.json(rows);
      }
    }
  }

  static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return java.util.HexFormat.of().formatHex(bytes);
    }
    return value.toString();
  }
}
