package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.quality.QualityCoverage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "report",
    description = "Reports on the project: 'report quality' gives its quality coverage.",
    subcommands = {ReportCommand.Quality.class})
final class ReportCommand extends GroupCommand {
  @Command(
      name = "quality",
      description =
          "Quality coverage: per tier, the share of assets with checks, a contract, an owner and a"
              + " freshness SLO, and the checks' pass rate per day over the last --days days, from"
              + " the check history (docs/quality.md).")
  static final class Quality implements java.util.concurrent.Callable<Integer> {
    @ParentCommand ReportCommand report;

    @Option(
        names = "--days",
        defaultValue = "30",
        description = "Days of check history the pass rate covers (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
      if (days < 1) {
        throw new dev.sluice.api.InvalidInputException(
            "--days must be a positive number, got " + days);
      }
      try (Workspace workspace = report.openWorkspace()) {
        Instant since = report.clock().instant().minus(Duration.ofDays(days));
        QualityCoverage coverage =
            QualityCoverage.of(workspace.project(), workspace.runStore(), since);
        if (report.json()) {
          report.output().json(json(coverage, days));
          return ExitCodes.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (QualityCoverage.TierCoverage tier : coverage.tiers()) {
          rows.add(
              List.of(
                  tier.tier(),
                  String.valueOf(tier.assets()),
                  share(tier, tier.withChecks()),
                  share(tier, tier.withContract()),
                  share(tier, tier.withOwner()),
                  share(tier, tier.withSlo())));
        }
        report
            .output()
            .table(
                List.of("tier", "assets", "checks", "contracts", "owner", "freshness slo"), rows);
        report.output().line("");
        if (coverage.passRate().isEmpty()) {
          report
              .output()
              .message(
                  "No check ran in the last "
                      + days
                      + " days: 'sluice run' or 'sluice test' runs them.");
          return ExitCodes.OK;
        }
        List<List<String>> dayRows = new ArrayList<>();
        for (QualityCoverage.DailyPassRate day : coverage.passRate()) {
          dayRows.add(
              List.of(
                  day.day().toString(),
                  String.valueOf(day.results()),
                  String.valueOf(day.passed()),
                  percent(day.rate())));
        }
        report.output().table(List.of("day", "check results", "passed", "pass rate"), dayRows);
        return ExitCodes.OK;
      }
    }

    private static String share(QualityCoverage.TierCoverage tier, int count) {
      return count + " (" + percent(tier.share(count)) + ")";
    }

    private static String percent(double share) {
      return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static Map<String, Object> json(QualityCoverage coverage, int days) {
      Map<String, Object> json = new LinkedHashMap<>();
      List<Map<String, Object>> tiers = new ArrayList<>();
      for (QualityCoverage.TierCoverage tier : coverage.tiers()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("tier", tier.tier());
        one.put("assets", tier.assets());
        one.put("withChecks", tier.withChecks());
        one.put("checksShare", tier.share(tier.withChecks()));
        one.put("withContract", tier.withContract());
        one.put("contractShare", tier.share(tier.withContract()));
        one.put("withOwner", tier.withOwner());
        one.put("ownerShare", tier.share(tier.withOwner()));
        one.put("withFreshnessSlo", tier.withSlo());
        one.put("freshnessSloShare", tier.share(tier.withSlo()));
        tiers.add(one);
      }
      json.put("tiers", tiers);
      json.put("days", days);
      List<Map<String, Object>> passRate = new ArrayList<>();
      for (QualityCoverage.DailyPassRate day : coverage.passRate()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("day", day.day().toString());
        one.put("results", day.results());
        one.put("passed", day.passed());
        one.put("rate", day.rate());
        passRate.add(one);
      }
      json.put("passRate", passRate);
      return json;
    }
  }
}
