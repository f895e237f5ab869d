package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.Asset;
import dev.sluice.core.project.FreshnessDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunSteps;
import dev.sluice.core.state.RunStore;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The quality coverage of a project (the KPI "data quality coverage"): per tier, how many assets
 * have checks, a contract, an owner and a freshness SLO, and the checks' pass rate per day from the
 * check history.
 *
 * @param tiers each tier's coverage, tiers in name order, then every asset as {@code all}
 * @param passRate the share of check results that passed, per day (UTC) with results
 */
public record QualityCoverage(List<TierCoverage> tiers, List<DailyPassRate> passRate) {
  /** The name of the row that counts every asset. */
  public static final String ALL = "all";

  public QualityCoverage {
    tiers = List.copyOf(tiers);
    passRate = List.copyOf(passRate);
  }

  /** One tier's counts of assets, and of those with each kind of coverage. */
  public record TierCoverage(
      String tier, int assets, int withChecks, int withContract, int withOwner, int withSlo) {
    public TierCoverage {
      requireNonNull(tier, "tier is null");
    }

    /** {@code count} as a share of the tier's assets (0 without assets). */
    public double share(int count) {
      return assets == 0 ? 0 : (double) count / assets;
    }

    TierCoverage plus(boolean checks, boolean contract, boolean owner, boolean slo) {
      return new TierCoverage(
          tier,
          assets + 1,
          withChecks + (checks ? 1 : 0),
          withContract + (contract ? 1 : 0),
          withOwner + (owner ? 1 : 0),
          withSlo + (slo ? 1 : 0));
    }
  }

  /** The check results of one day: how many, and how many passed. */
  public record DailyPassRate(LocalDate day, long results, long passed) {
    public DailyPassRate {
      requireNonNull(day, "day is null");
    }

    public double rate() {
      return results == 0 ? 0 : (double) passed / results;
    }
  }

  /** The coverage of {@code project}, with the pass rate of the checks run since {@code since}. */
  public static QualityCoverage of(Project project, RunStore store, Instant since) {
    Map<String, TierCoverage> tiers = new TreeMap<>();
    TierCoverage all = new TierCoverage(ALL, 0, 0, 0, 0, 0);
    for (String name : project.graph().assets()) {
      Asset asset = project.asset(name);
      String tier = FreshnessSlos.tier(asset);
      boolean checks = !asset.allChecks().isEmpty();
      boolean contract = asset.definition().contract() != null;
      String owner = asset.map(model -> model.owner(), seed -> null, table -> table.owner());
      boolean owned = owner != null && !owner.isBlank();
      FreshnessDef freshness = asset.definition().freshness();
      boolean slo = freshness != null && freshness.slo() != null;
      tiers.put(
          tier,
          tiers
              .getOrDefault(tier, new TierCoverage(tier, 0, 0, 0, 0, 0))
              .plus(checks, contract, owned, slo));
      all = all.plus(checks, contract, owned, slo);
    }
    List<TierCoverage> rows = new ArrayList<>(tiers.values());
    rows.add(all);
    Map<LocalDate, long[]> days = new TreeMap<>();
    for (RunSteps.DailyCheckCount count : store.steps().checkCountsByDay(since)) {
      long[] totals = days.computeIfAbsent(count.day(), unused -> new long[2]);
      totals[0] += count.count();
      if (count.status() == CheckStatus.PASSED) {
        totals[1] += count.count();
      }
    }
    List<DailyPassRate> passRate = new ArrayList<>();
    days.forEach((day, totals) -> passRate.add(new DailyPassRate(day, totals[0], totals[1])));
    return new QualityCoverage(rows, passRate);
  }
}
