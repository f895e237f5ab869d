package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.Promotions;
import dev.sluice.core.state.PromotionRecords.PromotedTable;
import dev.sluice.core.state.PromotionRecords.Promotion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "promote",
    description =
        "Move production to an environment's tables (docs/environments.md#promotion): its checks"
            + " must pass on it, and production must not have changed since it was built.")
final class PromoteCommand extends BaseCommand {
  @Parameters(paramLabel = "NAME", arity = "0..1", description = "The environment to promote.")
  String name;

  @Option(names = "--resume", description = "Finish the promotion that was interrupted.")
  boolean resume;

  @Option(names = "--list", description = "List the promotions, newest first.")
  boolean list;

  /** What {@code --abandon} without an ID stands for: the running promotion. */
  private static final String RUNNING = "running";

  @Option(
      names = "--abandon",
      arity = "0..1",
      paramLabel = "ID",
      fallbackValue = RUNNING,
      description =
          "Give up the interrupted promotion (ID, or the running one) that --resume cannot finish:"
              + " the tables it moved go back to production's version before it, unless"
              + " production changed them since; the environment stays.")
  String abandon;

  @Override
  public Integer call() {
    int modes =
        (name == null ? 0 : 1) + (resume ? 1 : 0) + (list ? 1 : 0) + (abandon == null ? 0 : 1);
    if (modes != 1) {
      throw new InvalidInputException(
          "Name one environment to promote, or give --resume, --abandon or --list (one of them)");
    }
    try (Workspace workspace = openWorkspace()) {
      Promotions promotions = new Promotions(workspace);
      if (list) {
        return printList(
            promotions.list(),
            PromoteCommand::toJson,
            "No promotions yet: 'sluice promote NAME' promotes an environment.",
            List.of("id", "environment", "status", "started", "finished", "by"),
            each ->
                List.of(
                    each.id(),
                    each.environment(),
                    each.status().label(),
                    each.startedAt().toString(),
                    each.finishedAt() == null ? "" : each.finishedAt().toString(),
                    each.principal()));
      }
      if (abandon != null) {
        return abandon(promotions.abandon(RUNNING.equals(abandon) ? null : abandon));
      }
      Promotions.Outcome outcome;
      if (resume) {
        outcome = promotions.resume();
      } else {
        ProgressPrinter progress = new ProgressPrinter(output(), ProgressPrinter.onTerminal());
        outcome = promotions.promote(name, progress);
      }
      if (outcome.promotion() == null) {
        throw new RunFailure(
            "Environment "
                + name
                + " was not promoted: its checks failed (run "
                + outcome.checks().runId()
                + "); production is unchanged",
            null,
            json() ? Map.of("promoted", false, "checksRunId", outcome.checks().runId()) : null);
      }
      Promotion promotion = outcome.promotion();
      if (json()) {
        output().json(toJson(promotion));
      } else {
        output()
            .message(
                "Promoted environment "
                    + promotion.environment()
                    + " ("
                    + promotion.id()
                    + "): production's "
                    + String.join(
                        ", ", promotion.tables().stream().map(PromotedTable::table).toList())
                    + " moved to its snapshots; 'sluice rollback --to "
                    + promotion.id()
                    + "' undoes it");
      }
      return ExitCodes.OK;
    }
  }

  private int abandon(Promotions.Abandonment abandoned) {
    Promotion promotion = abandoned.promotion();
    if (json()) {
      Map<String, Object> document = toJson(promotion);
      document.put("movedBack", abandoned.restored());
      document.put("keptChangedByProduction", abandoned.kept());
      output().json(document);
      return ExitCodes.OK;
    }
    output()
        .message(
            "Abandoned promotion "
                + promotion.id()
                + " of environment "
                + promotion.environment()
                + ": "
                + (abandoned.restored().isEmpty()
                    ? "no table had moved"
                    : "production's " + String.join(", ", abandoned.restored()) + " moved back")
                + ". Environment "
                + promotion.environment()
                + " is kept: 'sluice env rebase "
                + promotion.environment()
                + "' rebuilds it on production, then promote it again");
    if (!abandoned.kept().isEmpty()) {
      output()
          .message(
              "Kept as production has them (changed since the promotion moved them, so they hold"
                  + " the promoted version under production's later writes): "
                  + String.join(", ", abandoned.kept()));
    }
    return ExitCodes.OK;
  }

  static Map<String, Object> toJson(Promotion promotion) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", promotion.id());
    row.put("environment", promotion.environment());
    row.put("status", promotion.status().label());
    row.put("startedAt", promotion.startedAt().toString());
    row.put(
        "finishedAt", promotion.finishedAt() == null ? null : promotion.finishedAt().toString());
    row.put("principal", promotion.principal());
    row.put("gitCommit", promotion.gitCommit());
    List<Map<String, Object>> tables = new ArrayList<>();
    for (PromotedTable table : promotion.tables()) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("table", table.table());
      each.put("fromSnapshotId", table.fromSnapshotId());
      each.put("toSnapshotId", table.toSnapshotId());
      each.put("moved", table.done());
      tables.add(each);
    }
    row.put("tables", tables);
    return row;
  }

  @Command(
      name = "rollback",
      description =
          "Return production to where a promotion found it: 'rollback --to PROMOTION_ID'.")
  static final class Rollback extends BaseCommand {
    @Option(
        names = "--to",
        required = true,
        paramLabel = "PROMOTION_ID",
        description = "The promotion to undo.")
    String promotionId;

    @Override
    public Integer call() {
      try (Workspace workspace = openWorkspace()) {
        Promotion promotion = new Promotions(workspace).rollback(promotionId);
        if (json()) {
          output().json(toJson(promotion));
        } else {
          output()
              .message(
                  "Rolled back promotion "
                      + promotion.id()
                      + ": production's "
                      + String.join(
                          ", ", promotion.tables().stream().map(PromotedTable::table).toList())
                      + " are as before it");
        }
        return ExitCodes.OK;
      }
    }
  }
}
