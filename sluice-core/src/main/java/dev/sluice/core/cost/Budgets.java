package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.BudgetDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.SourceTableDef;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The budgets of {@code budgets:} in sluice.yaml: where each stands this month (UTC), whether a run
 * would exceed a hard one, and the events the alert rules hear of.
 */
public final class Budgets {
  private final Workspace workspace;

  public Budgets(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /** Where each budget stands in the month of {@code now}. */
  public List<BudgetStatus> status(Instant now) {
    Instant monthStart = monthStart(now);
    List<BudgetStatus> statuses = new ArrayList<>();
    List<BudgetDef> budgets = workspace.project().config().budgets();
    if (budgets.isEmpty() || !now.isAfter(monthStart)) {
      budgets.forEach(
          budget -> statuses.add(new BudgetStatus(budget, monthStart, BigDecimal.ZERO)));
      return statuses;
    }
    CostAccounting accounting = new CostAccounting(workspace);
    Duration elapsed = Duration.between(monthStart, now);
    CostReport byOwner = null;
    CostReport byTag = null;
    for (BudgetDef budget : budgets) {
      CostReport report;
      if (budget.owner() != null) {
        byOwner =
            byOwner != null ? byOwner : accounting.report(CostDimension.OWNER, elapsed, now, 0);
        report = byOwner;
      } else {
        byTag = byTag != null ? byTag : accounting.report(CostDimension.TAG, elapsed, now, 0);
        report = byTag;
      }
      BigDecimal spent =
          report.lines().stream()
              .filter(line -> line.key().equals(budget.key()))
              .map(CostLine::total)
              .findFirst()
              .orElse(BigDecimal.ZERO);
      statuses.add(new BudgetStatus(budget, monthStart, spent));
    }
    return statuses;
  }

  /**
   * Refuses a run of {@code assets} (one entry per planned step) that would take a hard budget past
   * its amount this month: what its assets spent so far, plus the run's estimate (each step at its
   * asset's average compute cost of the last 30 days; assets never run are not estimated).
   *
   * @throws BudgetExceededException with the figures and what to do
   */
  public void checkRun(Collection<String> assets, Instant now) {
    List<BudgetDef> hard =
        workspace.project().config().budgets().stream().filter(BudgetDef::hard).toList();
    if (hard.isEmpty()) {
      return;
    }
    Map<String, BigDecimal> average = new CostAccounting(workspace).averageStepCost(now);
    String currency = workspace.project().config().cost().currency().getCurrencyCode();
    for (BudgetStatus status : status(now)) {
      BudgetDef budget = status.budget();
      if (!budget.hard()) {
        continue;
      }
      BigDecimal estimate = BigDecimal.ZERO;
      int steps = 0;
      int unknown = 0;
      for (String asset : assets) {
        if (!covers(budget, asset)) {
          continue;
        }
        steps++;
        BigDecimal cost = average.get(asset);
        if (cost == null) {
          unknown++;
        } else {
          estimate = estimate.add(cost);
        }
      }
      if (steps == 0) {
        continue;
      }
      BigDecimal after = status.spent().add(estimate);
      if (after.compareTo(budget.monthly()) > 0 || status.exceeded()) {
        String message =
            "Run refused: the budget of "
                + budget.describe()
                + " ("
                + budget.location()
                + ") is "
                + money(budget.monthly())
                + " "
                + currency
                + " a month; its assets cost "
                + money(status.spent())
                + " "
                + currency
                + " since "
                + status.monthStart()
                + ", and this run's "
                + steps
                + " step(s) of them are estimated at "
                + money(estimate)
                + " "
                + currency
                + " (their average compute cost of the last 30 days"
                + (unknown > 0 ? "; " + unknown + " never ran and are not estimated" : "")
                + "): "
                + money(after)
                + " > "
                + money(budget.monthly())
                + ". Raise its monthly amount or make it not hard in sluice.yaml, run other"
                + " assets (--exclude), or wait for next month";
        workspace
            .observers()
            .budget(
                new BudgetEvent(
                    BudgetEvent.Kind.REFUSED,
                    budget.describe(),
                    period(now),
                    "a run was refused by the budget of " + budget.describe(),
                    message,
                    null,
                    now));
        throw new BudgetExceededException(message);
      }
    }
  }

  /**
   * Tells the observers (the alert rules with {@code on: budget}) of every budget that reached its
   * warning share or its amount this month; the alerts send each once a month.
   */
  public void announce(Instant now, String runId) {
    if (workspace.project().config().budgets().isEmpty()) {
      return;
    }
    String currency = workspace.project().config().cost().currency().getCurrencyCode();
    for (BudgetStatus status : status(now)) {
      if (!status.warning()) {
        continue;
      }
      BudgetDef budget = status.budget();
      BudgetEvent.Kind kind =
          status.exceeded() ? BudgetEvent.Kind.EXCEEDED : BudgetEvent.Kind.WARNING;
      workspace
          .observers()
          .budget(
              new BudgetEvent(
                  kind,
                  budget.describe(),
                  period(now),
                  "the budget of "
                      + budget.describe()
                      + (status.exceeded() ? " is spent" : " reached " + budget.warnPercent() + "%")
                      + " this month",
                  money(status.spent())
                      + " "
                      + currency
                      + " of "
                      + money(budget.monthly())
                      + " "
                      + currency
                      + " ("
                      + status.percent().toPlainString()
                      + "%) since "
                      + status.monthStart()
                      + "; 'sluice cost --by "
                      + (budget.owner() != null ? "owner" : "tag")
                      + " --since "
                      + Math.max(1, Duration.between(status.monthStart(), now).toDays() + 1)
                      + "d' shows where it went",
                  runId,
                  now));
    }
  }

  /** Whether a budget covers an asset: its owner, or one of its tags. */
  boolean covers(BudgetDef budget, String assetName) {
    Asset asset = workspace.project().findAsset(assetName).orElse(null);
    if (asset == null) {
      return false;
    }
    if (budget.owner() != null) {
      return budget
          .owner()
          .equals(asset.<String>map(ModelDef::owner, seed -> null, SourceTableDef::owner));
    }
    List<String> tags =
        asset.<List<String>>map(ModelDef::tags, seed -> List.of(), SourceTableDef::tags);
    return tags != null && tags.contains(budget.tag());
  }

  static Instant monthStart(Instant now) {
    return YearMonth.from(now.atZone(ZoneOffset.UTC))
        .atDay(1)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant();
  }

  static String period(Instant now) {
    return YearMonth.from(now.atZone(ZoneOffset.UTC)).toString();
  }

  private static String money(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
