package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.FreshnessDef;
import dev.sluice.core.quality.Durations;
import dev.sluice.core.quality.FreshnessSlos;
import dev.sluice.core.quality.FreshnessTimeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
    name = "slo",
    description =
        "The freshness of every asset with freshness: (fresh, warn, error or never loaded, and how"
            + " old its data is) and its freshness SLO: attainment over the SLO's window and the"
            + " error budget left, then per tier. Breaches found are recorded for alerts"
            + " (on: slo_breach) (docs/quality.md).")
final class SloCommand extends BaseCommand {
  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      Instant now = clock().instant();
      List<FreshnessSlos.AssetFreshness> assets =
          new FreshnessSlos(workspace.project(), workspace.runStore()).evaluate(now);
      List<FreshnessSlos.TierSlos> tiers = FreshnessSlos.byTier(assets);
      if (json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("at", now.toString());
        json.put("assets", assets.stream().map(SloCommand::json).toList());
        json.put("tiers", tiers.stream().map(SloCommand::json).toList());
        output().json(json);
        return ExitCodes.OK;
      }
      if (assets.isEmpty()) {
        output()
            .message(
                "No asset declares freshness: add e.g. freshness: {warn_after: 2h, error_after:"
                    + " 6h} and slo: {fresh: 99%, window: 30d} to a model's properties or a source"
                    + " table (docs/quality.md)");
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (FreshnessSlos.AssetFreshness asset : assets) {
        FreshnessTimeline.Result result = asset.result();
        FreshnessDef freshness = asset.freshness();
        FreshnessDef.SloDef slo = freshness.slo();
        rows.add(
            List.of(
                asset.asset(),
                asset.tier(),
                result.state().label(),
                result.age() == null ? "" : Durations.describe(result.age()),
                thresholds(freshness),
                slo == null ? "" : percent(slo.fresh()) + " / " + Durations.describe(slo.window()),
                result.attainment() == null ? "" : percent(result.attainment()),
                result.budgetLeft() == null
                    ? ""
                    : Durations.describe(result.budgetLeft())
                        + " of "
                        + Durations.describe(result.budget()),
                String.valueOf(
                    result.breaches().stream().filter(b -> b.level().equals("error")).count())));
      }
      output()
          .table(
              List.of(
                  "asset",
                  "tier",
                  "state",
                  "age",
                  "warn / error after",
                  "slo",
                  "attainment",
                  "budget left",
                  "error breaches"),
              rows);
      List<List<String>> tierRows = new ArrayList<>();
      for (FreshnessSlos.TierSlos tier : tiers) {
        tierRows.add(
            List.of(
                tier.tier(),
                String.valueOf(tier.assets()),
                String.valueOf(tier.withSlo()),
                String.valueOf(tier.meeting()),
                tier.meanAttainment() == null ? "" : percent(tier.meanAttainment())));
      }
      output().line("");
      output()
          .table(
              List.of("tier", "with freshness", "with slo", "meeting slo", "mean attainment"),
              tierRows);
      return ExitCodes.OK;
    }
  }

  private static String thresholds(FreshnessDef freshness) {
    return (freshness.warnAfter() == null ? "-" : Durations.describe(freshness.warnAfter()))
        + " / "
        + (freshness.errorAfter() == null ? "-" : Durations.describe(freshness.errorAfter()))
        + (freshness.loadedAtField() == null ? "" : " (" + freshness.loadedAtField() + ")");
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.2f%%", share * 100);
  }

  private static Map<String, Object> json(FreshnessSlos.AssetFreshness asset) {
    FreshnessTimeline.Result result = asset.result();
    FreshnessDef freshness = asset.freshness();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("asset", asset.asset());
    json.put("tier", asset.tier());
    json.put("state", result.state().name().toLowerCase(Locale.ROOT));
    json.put("newestData", result.newestData() == null ? null : result.newestData().toString());
    json.put("ageSeconds", result.age() == null ? null : result.age().toSeconds());
    json.put("warnAfterSeconds", seconds(freshness.warnAfter()));
    json.put("errorAfterSeconds", seconds(freshness.errorAfter()));
    json.put("loadedAtField", freshness.loadedAtField());
    if (freshness.slo() != null) {
      Map<String, Object> slo = new LinkedHashMap<>();
      slo.put("fresh", freshness.slo().fresh());
      slo.put("windowSeconds", freshness.slo().window().toSeconds());
      slo.put("attainment", result.attainment());
      slo.put("staleSeconds", result.stale().toSeconds());
      slo.put("budgetSeconds", seconds(result.budget()));
      slo.put("budgetLeftSeconds", seconds(result.budgetLeft()));
      slo.put("budgetSpent", result.budgetSpent());
      json.put("slo", slo);
    } else {
      json.put("slo", null);
    }
    json.put("breached", asset.breached());
    List<Map<String, Object>> breaches = new ArrayList<>();
    for (FreshnessTimeline.Breach breach : result.breaches()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("level", breach.level());
      one.put("start", breach.start().toString());
      one.put("end", breach.end() == null ? null : breach.end().toString());
      breaches.add(one);
    }
    json.put("breaches", breaches);
    return json;
  }

  private static Map<String, Object> json(FreshnessSlos.TierSlos tier) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("tier", tier.tier());
    json.put("assets", tier.assets());
    json.put("withSlo", tier.withSlo());
    json.put("meetingSlo", tier.meeting());
    json.put("meanAttainment", tier.meanAttainment());
    return json;
  }

  private static Long seconds(Duration duration) {
    return duration == null ? null : duration.toSeconds();
  }
}
