package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.FreshnessDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.FreshnessBreaches;
import dev.sluice.core.state.MetricHistory;
import dev.sluice.core.state.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Evaluates the freshness and freshness SLOs ({@code freshness:}, {@code slo:}) of a project's
 * assets from the metric history of their tables ({@link FreshnessTimeline}), and records every
 * breach it finds in the state database ({@link FreshnessBreaches}), where alerts ({@code on:
 * slo_breach}) and dashboards read them.
 */
public final class FreshnessSlos {
  /** The period breaches are listed over for an asset without an SLO. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

  /** The tier of an asset that declares none (sources, seeds, untiered models). */
  public static final String NO_TIER = "(no tier)";

  private final Project project;
  private final RunStore store;

  public FreshnessSlos(Project project, RunStore store) {
    this.project = requireNonNull(project, "project is null");
    this.store = requireNonNull(store, "store is null");
  }

  /** One asset's freshness now. */
  public record AssetFreshness(
      String asset, String tier, FreshnessDef freshness, FreshnessTimeline.Result result) {
    public AssetFreshness {
      requireNonNull(asset, "asset is null");
      requireNonNull(tier, "tier is null");
      requireNonNull(freshness, "freshness is null");
      requireNonNull(result, "result is null");
    }

    /**
     * Whether the asset breaches its promise now: older than {@code error_after}, or its SLO's
     * error budget spent.
     */
    public boolean breached() {
      return result.state() == FreshnessTimeline.State.ERROR || result.budgetSpent();
    }
  }

  /**
   * The SLOs of one tier.
   *
   * @param assets the tier's assets with {@code freshness:}
   * @param withSlo those of them with an {@code slo:}
   * @param meeting those whose attainment meets their SLO
   * @param meanAttainment the mean attainment of those with an SLO and a write, or null
   */
  public record TierSlos(
      String tier, int assets, int withSlo, int meeting, Double meanAttainment) {}

  /** Every asset with {@code freshness:}, in the graph's order; their breaches are recorded. */
  public List<AssetFreshness> evaluate(Instant now) {
    List<AssetFreshness> all = new ArrayList<>();
    for (String name : project.graph().assets()) {
      evaluate(name, now).ifPresent(all::add);
    }
    return all;
  }

  /**
   * One asset's freshness, empty when it declares none; its breaches are recorded.
   *
   * @throws InvalidInputException when {@code loaded_at_field} names a column its table lacks
   */
  public Optional<AssetFreshness> evaluate(String name, Instant now) {
    Asset asset = project.asset(name);
    FreshnessDef freshness = asset.definition().freshness();
    if (freshness == null) {
      return Optional.empty();
    }
    String table = asset.tableName().toString();
    String field = freshness.loadedAtField();
    if (field != null) {
      Optional<MetricHistory.Recorded> latest = store.metrics().latest(table, null);
      if (latest.isPresent() && latest.get().profile().column(field) == null) {
        throw new InvalidInputException(
            (freshness.loadedAtLocation() == null
                    ? freshness.location()
                    : freshness.loadedAtLocation())
                + ": Unknown column '"
                + field
                + "' in loaded_at_field of "
                + name
                + ": its table "
                + table
                + " has "
                + String.join(
                    ", ",
                    latest.get().profile().columns().stream().map(column -> column.name()).toList())
                + "; name one of them, or leave loaded_at_field out to judge by the last write");
      }
    }
    Duration window = freshness.slo() != null ? freshness.slo().window() : DEFAULT_WINDOW;
    List<FreshnessTimeline.Write> writes = new ArrayList<>();
    for (MetricHistory.Write write :
        store.metrics().successfulWrites(table, field, now.minus(window))) {
      writes.add(
          new FreshnessTimeline.Write(
              write.at(),
              field == null ? write.at() : FreshnessTimeline.parseDataTime(write.newest())));
    }
    FreshnessTimeline.Result result = FreshnessTimeline.judge(freshness, writes, now, window);
    List<FreshnessBreaches.Breach> breaches = new ArrayList<>();
    for (FreshnessTimeline.Breach breach : result.breaches()) {
      breaches.add(
          new FreshnessBreaches.Breach(
              name,
              breach.level(),
              breach.start(),
              breach.end(),
              name
                  + " was older than its "
                  + breach.level()
                  + "_after "
                  + Durations.describe(breach.threshold())
                  + (field == null ? " (since its last write)" : " (by " + field + ")")));
    }
    store.freshnessBreaches().record(breaches, now);
    return Optional.of(new AssetFreshness(name, tier(asset), freshness, result));
  }

  /** The SLOs of each tier, tiers in name order. */
  public static List<TierSlos> byTier(List<AssetFreshness> assets) {
    Map<String, List<AssetFreshness>> tiers = new TreeMap<>();
    for (AssetFreshness asset : assets) {
      tiers.computeIfAbsent(asset.tier(), unused -> new ArrayList<>()).add(asset);
    }
    List<TierSlos> all = new ArrayList<>();
    tiers.forEach(
        (tier, members) -> {
          int withSlo = 0;
          int meeting = 0;
          double sum = 0;
          int measured = 0;
          for (AssetFreshness member : members) {
            FreshnessDef.SloDef slo = member.freshness().slo();
            if (slo == null) {
              continue;
            }
            withSlo++;
            Double attainment = member.result().attainment();
            if (attainment != null) {
              measured++;
              sum += attainment;
              if (attainment >= slo.fresh()) {
                meeting++;
              }
            }
          }
          all.add(
              new TierSlos(
                  tier, members.size(), withSlo, meeting, measured == 0 ? null : sum / measured));
        });
    return all;
  }

  /** The tier an asset declares ({@code tier:} of a model), else {@link #NO_TIER}. */
  public static String tier(Asset asset) {
    String tier = asset.map(ModelDef::tier, seed -> null, sourceTable -> null);
    return tier == null || tier.isBlank() ? NO_TIER : tier;
  }
}
