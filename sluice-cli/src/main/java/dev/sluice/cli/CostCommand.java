package dev.sluice.cli;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.cost.BudgetStatus;
import dev.sluice.core.cost.Budgets;
import dev.sluice.core.cost.Bytes;
import dev.sluice.core.cost.CostAccounting;
import dev.sluice.core.cost.CostDimension;
import dev.sluice.core.cost.CostLine;
import dev.sluice.core.cost.CostReport;
import dev.sluice.core.cost.Waste;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "cost",
    description =
        "Showback: compute, storage and query cost of the period by asset, owner, tier, tag,"
            + " source or principal, with the cost per run and per 1,000 queries, the trend"
            + " against the previous period, the top offenders and the waste; priced with cost:"
            + " of sluice.yaml. Measures every table's storage first.")
final class CostCommand extends BaseCommand {
  private static final Pattern PERIOD = Pattern.compile("(\\d+)\\s*([hdw])");

  @Option(
      names = "--by",
      paramLabel = "DIMENSION",
      defaultValue = "asset",
      description = "Group by asset (default), owner, tier, tag, source or principal.")
  String by;

  @Option(
      names = "--since",
      paramLabel = "AGE",
      defaultValue = "30d",
      description =
          "The period: the last 30d (default), 7d, 24h, 2w...; the trend compares the"
              + " period before it, of the same length.")
  String since;

  @Option(names = "--csv", description = "One CSV row per group, for a spreadsheet.")
  boolean csv;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description =
          "Also draw the cost over time (per hour, day or week of the period, the costliest"
              + " groups stacked) as DIR/cost-by-<by>.png, with its figures in"
              + " DIR/cost-by-<by>.csv.")
  Path outputDirectory;

  @Option(
      names = "--top",
      paramLabel = "N",
      defaultValue = "5",
      description = "How many top offenders to name (default 5).")
  int top;

  @Override
  public Integer call() {
    CostDimension dimension = CostDimension.parse(by);
    Duration period = parsePeriod(since);
    if (top < 0) {
      throw new InvalidInputException("--top must not be negative: " + top);
    }
    if (csv && json()) {
      throw new InvalidInputException("Give --csv or --json, not both");
    }
    if (outputDirectory != null) {
      CostChart.checkDirectory(outputDirectory);
    }
    CostReport report;
    List<BudgetStatus> budgets;
    CostChart.Written chart = null;
    String chartFailure = null;
    try (Workspace workspace = Workspace.open(loadProject(), clock(), Workspace.localPrincipal())) {
      CostAccounting accounting = new CostAccounting(workspace);
      accounting.measureStorage();
      report = accounting.report(dimension, period, clock().instant(), top);
      budgets = new Budgets(workspace).status(clock().instant());
      if (outputDirectory != null) {
        try {
          chart = new CostChart(accounting, dimension).write(report, outputDirectory);
        } catch (RuntimeException | Error e) {
          // the report is printed all the same; a JVM without fonts cannot draw text
          chartFailure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
      }
    }
    if (json()) {
      Map<String, Object> document = toJson(report);
      document.put("budgets", budgets.stream().map(CostCommand::toJson).toList());
      output().json(document);
    } else if (csv) {
      printCsv(report);
    } else {
      print(report);
      printBudgets(report.currency(), budgets);
    }
    if (chart != null) {
      output()
          .message(
              "Cost over time ("
                  + chart.buckets()
                  + " buckets): "
                  + chart.png()
                  + ", figures in "
                  + chart.csv());
    } else if (chartFailure != null) {
      output()
          .message(
              "Cannot draw the cost chart in "
                  + outputDirectory
                  + ": "
                  + chartFailure
                  + ". The report above is complete; check that the directory is writable.");
      return ExitCodes.DATA;
    }
    return ExitCodes.OK;
  }

  private void printBudgets(String currency, List<BudgetStatus> budgets) {
    if (budgets.isEmpty()) {
      return;
    }
    output().line("");
    output().line("Budgets this month (since " + budgets.get(0).monthStart() + "):");
    for (BudgetStatus status : budgets) {
      output()
          .line(
              "  "
                  + status.budget().describe()
                  + ": "
                  + money(status.spent())
                  + " of "
                  + status.budget().monthly().toPlainString()
                  + " "
                  + currency
                  + " ("
                  + status.percent().toPlainString()
                  + "%)"
                  + (status.exceeded()
                      ? ", spent"
                      : status.warning()
                          ? ", past the warning at " + status.budget().warnPercent() + "%"
                          : "")
                  + (status.budget().hard()
                      ? "; hard: runs that would exceed it are refused"
                      : ""));
    }
  }

  private static Map<String, Object> toJson(BudgetStatus status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("owner", status.budget().owner());
    json.put("tag", status.budget().tag());
    json.put("monthly", status.budget().monthly());
    json.put("warnPercent", status.budget().warnPercent());
    json.put("hard", status.budget().hard());
    json.put("since", status.monthStart().toString());
    json.put("spent", status.spent());
    json.put("percent", status.percent());
    json.put("warning", status.warning());
    json.put("exceeded", status.exceeded());
    return json;
  }

  /** An age such as {@code 30d}, {@code 24h} or {@code 2w}. */
  static Duration parsePeriod(String text) {
    return parsePeriod("--since", text);
  }

  /** An age such as {@code 30d}, {@code 24h} or {@code 2w}, given as {@code option}. */
  static Duration parsePeriod(String option, String text) {
    Matcher matcher = PERIOD.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      throw new InvalidInputException(
          option + " '" + text + "' is not a period: write an age such as 30d, 7d, 24h or 2w");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofDays(7 * amount);
    };
  }

  private void print(CostReport report) {
    String currency = report.currency();
    output()
        .line(
            "Cost by "
                + report.by().label()
                + " from "
                + report.from()
                + " to "
                + report.to()
                + " ("
                + currency
                + ")");
    List<List<String>> rows = new ArrayList<>();
    for (CostLine line : report.lines()) {
      rows.add(row(line));
    }
    rows.add(row(report.total()));
    output()
        .table(
            List.of(
                report.by().label(),
                "compute",
                "storage",
                "query",
                "total",
                "trend",
                "runs",
                "per run",
                "queries",
                "per 1k queries",
                "cpu",
                "stored",
                "scanned"),
            rows);
    if (!report.topOffenders().isEmpty()) {
      output().line("");
      output().line("Top offenders (assets):");
      int rank = 1;
      for (CostLine line : report.topOffenders()) {
        output()
            .line(
                "  "
                    + rank++
                    + ". "
                    + line.key()
                    + ": "
                    + money(line.total())
                    + " "
                    + currency
                    + " (compute "
                    + money(line.compute())
                    + ", storage "
                    + money(line.storage())
                    + ", query "
                    + money(line.query())
                    + ")");
      }
    }
    if (!report.waste().isEmpty()) {
      output().line("");
      output().line("Waste:");
      for (Waste waste : report.waste()) {
        output()
            .line(
                "  "
                    + waste.kind()
                    + " "
                    + waste.asset()
                    + ": "
                    + money(waste.cost())
                    + " "
                    + currency
                    + ", "
                    + waste.detail());
      }
    }
    output().line("");
    report.notes().forEach((figure, note) -> output().message(figure + ": " + note));
  }

  private static List<String> row(CostLine line) {
    return List.of(
        line.key(),
        money(line.compute()),
        money(line.storage()),
        money(line.query()),
        money(line.total()),
        line.trendPercent() == null ? "new" : signed(line.trendPercent()) + "%",
        formatCount(line.runs()),
        line.perRun() == null ? "-" : money(line.perRun()),
        formatCount(line.queries()),
        line.perThousandQueries() == null ? "-" : money(line.perThousandQueries()),
        cpu(line.cpuMillis()),
        Bytes.describe(line.storedBytes()),
        Bytes.describe(line.bytesScanned()));
  }

  private void printCsv(CostReport report) {
    List<String> columns =
        List.of(
            report.by().label(),
            "currency",
            "compute",
            "storage",
            "query",
            "total",
            "previous_total",
            "trend_percent",
            "runs",
            "cost_per_run",
            "queries",
            "cost_per_1000_queries",
            "cpu_millis",
            "steps",
            "stored_bytes",
            "bytes_scanned");
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    columns.forEach(schema::addColumn);
    List<CostLine> lines = new ArrayList<>(report.lines());
    lines.add(report.total());
    try (SequenceWriter writer =
        new CsvMapper().writer(schema.build()).writeValues(output().out())) {
      for (CostLine line : lines) {
        writer.write(
            List.of(
                line.key(),
                report.currency(),
                plain(line.compute()),
                plain(line.storage()),
                plain(line.query()),
                plain(line.total()),
                plain(line.previousTotal()),
                line.trendPercent() == null ? "" : plain(line.trendPercent()),
                Long.toString(line.runs()),
                line.perRun() == null ? "" : plain(line.perRun()),
                Long.toString(line.queries()),
                line.perThousandQueries() == null ? "" : plain(line.perThousandQueries()),
                Long.toString(line.cpuMillis()),
                Long.toString(line.steps()),
                Long.toString(line.storedBytes()),
                Long.toString(line.bytesScanned())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    output().out().flush();
  }

  static Map<String, Object> toJson(CostReport report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("currency", report.currency());
    json.put("pricesDeclared", report.pricesDeclared());
    json.put("by", report.by().label());
    json.put("from", report.from().toString());
    json.put("to", report.to().toString());
    json.put("lines", report.lines().stream().map(CostCommand::toJson).toList());
    json.put("total", toJson(report.total()));
    json.put("topOffenders", report.topOffenders().stream().map(CostCommand::toJson).toList());
    List<Map<String, Object>> waste = new ArrayList<>();
    for (Waste item : report.waste()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kind", item.kind());
      entry.put("asset", item.asset());
      entry.put("cost", item.cost());
      entry.put("detail", item.detail());
      waste.add(entry);
    }
    json.put("waste", waste);
    json.put("notes", report.notes());
    return json;
  }

  private static Map<String, Object> toJson(CostLine line) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", line.key());
    json.put("compute", line.compute());
    json.put("storage", line.storage());
    json.put("query", line.query());
    json.put("total", line.total());
    json.put("previousTotal", line.previousTotal());
    json.put("trendPercent", line.trendPercent());
    json.put("runs", line.runs());
    json.put("costPerRun", line.perRun());
    json.put("queries", line.queries());
    json.put("costPer1000Queries", line.perThousandQueries());
    json.put("cpuMillis", line.cpuMillis());
    json.put("steps", line.steps());
    json.put("storedBytes", line.storedBytes());
    json.put("bytesScanned", line.bytesScanned());
    return json;
  }

  /** An amount for people: six decimals (a step costs fractions of a cent). */
  static String money(BigDecimal amount) {
    return amount.setScale(6, RoundingMode.HALF_UP).toPlainString();
  }

  private static String plain(BigDecimal amount) {
    return amount.stripTrailingZeros().toPlainString();
  }

  private static String signed(BigDecimal percent) {
    return (percent.signum() > 0 ? "+" : "") + percent.toPlainString();
  }

  private static String cpu(long millis) {
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
