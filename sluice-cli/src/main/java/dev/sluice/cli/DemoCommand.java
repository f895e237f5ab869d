package dev.sluice.cli;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.cli.demo.DemoHistory;
import dev.sluice.cli.demo.DemoProject;
import dev.sluice.core.Workspace;
import dev.sluice.core.cost.CostAccounting;
import dev.sluice.core.cost.CostDimension;
import dev.sluice.core.cost.CostLine;
import dev.sluice.core.cost.CostReport;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.project.ContractDef;
import dev.sluice.core.project.FreshnessDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.quality.Durations;
import dev.sluice.core.quality.FreshnessSlos;
import dev.sluice.core.quality.FreshnessTimeline;
import dev.sluice.core.quality.UnitTests;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    description =
        "Create a sample online-shop project, ingest it, build and check its models, and query the result.")
final class DemoCommand extends BaseCommand {
  @Option(
      names = "--dir",
      defaultValue = "sluice-demo",
      description = "Where to create the demo project (default: ${DEFAULT-VALUE}).")
  Path directory;

  @Override
  public Integer call() {
    Instant started = clock().instant();
    Path target = projectDirectory().resolve(directory).normalize();
    output()
        .message(
            "Creating the demo project in " + target + " (an online shop, 1M+ order lines) ...");
    DemoProject.create(target);
    output()
        .message(
            "Generated the data in "
                + formatDuration(Duration.between(started, clock().instant()))
                + "; running it:");
    UnitTests.Report unitTests = UnitTests.run(Project.load(target), List.of(), List.of());
    output().message("");
    output()
        .message(
            "Unit tests of the models ('sluice test --unit': given rows in, expected rows out, in an"
                + " in-memory engine, before any real data is touched):");
    for (UnitTests.Result test : unitTests.results()) {
      output()
          .message(
              "  "
                  + (test.passed() ? "passed" : test.status().label())
                  + ": "
                  + test.test().name()
                  + " (model "
                  + test.test().model()
                  + ", "
                  + test.expectedRows()
                  + " expected rows)");
    }
    if (unitTests.failed() > 0) {
      UnitTestOutput.print(output(), unitTests);
      output().message(UnitTestOutput.summary(unitTests));
      return ExitCodes.RUN_FAILED;
    }
    output().message("");
    try (Workspace workspace = Workspace.open(target)) {
      int seeded = DemoHistory.seed(target, workspace.runStore(), clock().instant());
      if (seeded > 0) {
        output()
            .message(
                "Seeded "
                    + seeded
                    + " days of metric history of published.daily_revenue (from "
                    + "history/daily_revenue_metrics.csv, recorded as runs '"
                    + DemoHistory.COMMAND
                    + "'), so that its anomaly check has a history to judge against.");
      }
      RunResult result = RunCommand.run(runner(workspace), RunOptions.all(), output());
      RunCommand.finish(
          workspace,
          result,
          output(),
          json(),
          "The demo run failed: see 'sluice -p " + target + " runs show " + result.runId() + "'");
      long rows = result.steps().stream().mapToLong(StepResult::rowsOut).sum();
      long checks = result.steps().stream().mapToLong(s -> s.checks().size()).sum();
      long passed =
          result.steps().stream().flatMap(s -> s.checks().stream()).filter(c -> c.passed()).count();
      long rejected = result.steps().stream().mapToLong(StepResult::rejectedRows).sum();
      output().message("");
      output()
          .message(
              "Wrote "
                  + formatCount(rows)
                  + " rows into "
                  + result.steps().size()
                  + " tables; "
                  + passed
                  + "/"
                  + checks
                  + " checks passed; "
                  + rejected
                  + " malformed rows quarantined.");
      long contractChecks =
          result.steps().stream()
              .flatMap(s -> s.checks().stream())
              .filter(c -> c.check().name().startsWith(ContractDef.CHECK_PREFIX))
              .filter(c -> c.passed())
              .count();
      output()
          .message(
              "The contract of curated.products held: its columns and types, and "
                  + contractChecks
                  + " contract checks (primary key, not null, check, grain) passed before it was"
                  + " published ('sluice contract export products' writes it as ODCS v3).");
      anomalyOfDailyRevenue(result)
          .ifPresent(
              note ->
                  output()
                      .message("The anomaly check on daily_revenue's row count: " + note + "."));
      output()
          .message(
              "Sent "
                  + lineageEvents(target)
                  + " OpenLineage events (the run, each step and its checks, with column lineage)"
                  + " to .sluice/openlineage.jsonl (openlineage: in sluice.yaml).");
      String sql = DemoProject.sampleQuery();
      output().message("");
      output().message("A query over the published tables:");
      output().message("  " + sql.strip().replace("\n", "\n  "));
      output().message("");
      QueryResult answer = new QueryService(workspace).query(sql, ReadPoint.main(), 100);
      if (!json()) {
        QueryCommand.print(output(), answer, QueryCommand.Format.table);
      }
      List<String> personal =
          ColumnTags.of(workspace.project()).withTag("pii").stream()
              .map(column -> column.column().toString())
              .toList();
      output().message("");
      output()
          .message(
              "Columns holding personal data, declared or inherited along column lineage ('sluice"
                  + " catalog columns --tag pii' says why):");
      output().message("  " + String.join(", ", personal));
      String governed = DemoProject.governedQuery();
      output().message("");
      output()
          .message(
              "The same customers as the analyst of policies.yaml sees them (e-mails masked, names"
                  + " shortened, only the analyst's country):");
      output().message("  sluice query --as analyst \"" + governed + "\"");
      output().message("");
      QueryService queries = new QueryService(workspace);
      QueryResult masked =
          queries.query(governed, ReadPoint.main(), 100, queries.principal("analyst"));
      if (!json()) {
        QueryCommand.print(output(), masked, QueryCommand.Format.table);
      }
      printCostSummary(workspace);
      output().message("");
      output()
          .message("Freshness SLOs ('sluice slo'; 'sluice report quality' gives the coverage):");
      for (FreshnessSlos.AssetFreshness slo :
          new FreshnessSlos(workspace.project(), workspace.runStore())
              .evaluate(clock().instant())) {
        output().message("  " + describe(slo));
      }
      output().message("");
      output()
          .message(
              "Demo finished in "
                  + formatDuration(Duration.between(started, clock().instant()))
                  + ". Try:");
      output().message("  ./sluice -p " + directory + " tables");
      output().message("  ./sluice -p " + directory + " access explain analyst curated.customers");
      output()
          .message(
              "  ./sluice -p "
                  + directory
                  + " access request curated.orders --reason \"basket analysis\" --for 7d --as"
                  + " analyst");
      output().message("  ./sluice -p " + directory + " access approve 1 --as admin");
      output().message("  ./sluice -p " + directory + " access report");
      output()
          .message(
              "  ./sluice -p "
                  + directory
                  + " cost --by owner --output cost-charts   # and a chart of cost over time");
      output().message("  ./sluice -p " + directory + " slo");
      output().message("  ./sluice -p " + directory + " report quality");
      output().message("  ./sluice -p " + directory + " runs show " + result.runId());
      output().message("  ./sluice -p " + directory + " contract export products");
      output()
          .message(
              "  ./sluice -p "
                  + directory
                  + " query \"select * from published.daily_revenue order by 1 desc limit 5\"");
      output().message("");
      output()
          .message(
              "Open the web UI (asset graph, lineage, runs, search): ./sluice -p "
                  + directory
                  + " serve --dev, then http://127.0.0.1:8270/ui (development mode: no sign-in,"
                  + " this machine only; docs/ui.md)");
      return ExitCodes.OK;
    }
  }

  /** What the anomaly check on daily_revenue found, from its note. */
  private static java.util.Optional<String> anomalyOfDailyRevenue(RunResult result) {
    return result.steps().stream()
        .filter(step -> step.asset().equals("daily_revenue"))
        .flatMap(step -> step.checks().stream())
        .filter(check -> check.check().type().equals("anomaly"))
        .map(CheckOutcome::note)
        .filter(java.util.Objects::nonNull)
        .findFirst();
  }

  /** One asset's freshness and SLO, in a line. */
  private static String describe(FreshnessSlos.AssetFreshness slo) {
    FreshnessTimeline.Result result = slo.result();
    FreshnessDef.SloDef promise = slo.freshness().slo();
    return slo.asset()
        + " ("
        + slo.tier()
        + "): "
        + result.state().label()
        + (result.age() == null ? "" : ", data " + Durations.describe(result.age()) + " old")
        + (promise == null || result.attainment() == null
            ? ""
            : String.format(
                java.util.Locale.ROOT,
                "; fresh %.2f%% of the time against an SLO of %.2f%% over %s",
                result.attainment() * 100,
                promise.fresh() * 100,
                Durations.describe(promise.window())));
  }

  /** How many events the run wrote to the demo's OpenLineage file. */
  private static long lineageEvents(Path project) {
    Path events = project.resolve(".sluice/openlineage.jsonl");
    try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(events)) {
      return lines.filter(line -> !line.isBlank()).count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /**
   * The cost of what the demo did, by owner, priced with cost: of the demo's sluice.yaml: what
   * {@code sluice cost --by owner} shows in full.
   */
  private void printCostSummary(Workspace workspace) {
    CostAccounting accounting = new CostAccounting(workspace);
    accounting.measureStorage();
    CostReport report =
        accounting.report(CostDimension.OWNER, Duration.ofDays(30), clock().instant(), 3);
    output().message("");
    output()
        .message(
            "What it cost, by owner (sluice cost --by owner; prices from cost: in sluice.yaml, in "
                + report.currency()
                + "):");
    if (!json()) {
      List<List<String>> rows = new java.util.ArrayList<>();
      for (CostLine line : report.lines()) {
        rows.add(costRow(line));
      }
      rows.add(costRow(report.total()));
      output().table(List.of("owner", "compute", "storage", "query", "total", "cpu"), rows);
    }
    output()
        .message(
            "Top offenders: "
                + String.join(
                    ", ",
                    report.topOffenders().stream()
                        .map(line -> line.key() + " " + CostCommand.money(line.total()))
                        .toList())
                + "; "
                + report.waste().size()
                + " waste finding(s) (tables nobody read yet). Compute is the CPU time of each"
                + " step (estimated where steps ran side by side), storage the bytes each table"
                + " holds; docs/cost.md says what each figure includes.");
  }

  private static List<String> costRow(CostLine line) {
    return List.of(
        line.key(),
        CostCommand.money(line.compute()),
        CostCommand.money(line.storage()),
        CostCommand.money(line.query()),
        CostCommand.money(line.total()),
        String.format(java.util.Locale.ROOT, "%.1f s", line.cpuMillis() / 1000.0));
  }
}
