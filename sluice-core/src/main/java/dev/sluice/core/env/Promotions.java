package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.EnvironmentRecords.Environment;
import dev.sluice.core.state.EnvironmentRecords.EnvironmentTable;
import dev.sluice.core.state.PromotionRecords;
import dev.sluice.core.state.PromotionRecords.PromotedTable;
import dev.sluice.core.state.PromotionRecords.Promotion;
import dev.sluice.lake.Lake;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.iceberg.view.View;

/**
 * Promotion of an environment to production ({@code sluice promote NAME}): after the checks of the
 * environment's models pass on its data, and only when production has not moved since the
 * environment was built, each table's main moves to the environment's snapshot. The plan is
 * recorded before production moves and each table when it has moved, so that a promotion that was
 * killed is finished by {@link #resume}; one promotion runs at a time. {@link #rollback} returns
 * production to where a promotion found it. Every promotion and rollback is audited.
 */
public final class Promotions {
  private final Workspace workspace;
  private final Clock clock;
  private Consumer<TableName> beforeMove = table -> {};

  public Promotions(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = workspace.clock();
  }

  /** Runs {@code action} before main moves for each table: a test stops a promotion half-way so. */
  Promotions beforeMove(Consumer<TableName> action) {
    this.beforeMove = requireNonNull(action, "action is null");
    return this;
  }

  /**
   * The outcome of a promotion attempt.
   *
   * @param promotion the promotion as recorded, or null when the checks failed (nothing moved)
   * @param checks the run of the environment's checks, or null when resuming
   */
  public record Outcome(Promotion promotion, RunResult checks) {
    public boolean succeeded() {
      return promotion != null && promotion.status() == PromotionRecords.Status.DONE;
    }
  }

  /**
   * Promotes an environment.
   *
   * @throws InvalidInputException when the environment does not exist or holds no table, when
   *     production moved since it was built (naming each table; {@code sluice env rebase NAME}
   *     rebuilds it on production), when its branches moved since it was recorded, or when another
   *     promotion is running
   */
  public Outcome promote(String name, RunListener listener) {
    EnvironmentName.check(name);
    Environments environments = new Environments(workspace);
    Environment environment = environments.show(name);
    List<EnvironmentTable> built = environment.built();
    if (built.isEmpty()) {
      throw new InvalidInputException(
          "Environment " + name + " differs from production in no table: nothing to promote");
    }
    refused(
        name,
        null,
        () -> {
          refuseWhileRunning();
          checkNotBehind(environment);
        });
    List<String> models =
        built.stream().map(EnvironmentTable::model).filter(Objects::nonNull).toList();
    RunResult checks =
        new Runner(workspace, clock)
            .test(new RunOptions(models, List.of(), false).inEnvironment(name), listener);
    if (!checks.succeeded()) {
      audit(name, null, "refused", "checks failed on the environment: run " + checks.runId());
      return new Outcome(null, checks);
    }
    // upstream tables first: a reader meanwhile sees new inputs under old outputs, not the reverse
    List<String> order = workspace.project().graph().topologicalOrder();
    List<EnvironmentTable> ordered = new ArrayList<>(built);
    ordered.sort(
        java.util.Comparator.comparingInt(
            table -> table.model() == null ? Integer.MAX_VALUE : order.indexOf(table.model())));
    List<PromotedTable> tables = new ArrayList<>();
    Lake lake = workspace.lake();
    for (EnvironmentTable table : ordered) {
      TableName tableName = TableName.parse(table.table());
      if (lake.environmentViews().find(tableName, name).isPresent()) {
        Optional<View> production = lake.findView(tableName);
        tables.add(
            new PromotedTable(
                table.table(),
                table.baseSnapshotId(),
                table.snapshotId(),
                false,
                true,
                production.map(ViewDefinition::of).map(ViewDefinition::toJson).orElse(null),
                production.map(view -> view.uuid().toString()).orElse(null),
                null));
      } else {
        tables.add(
            new PromotedTable(table.table(), table.baseSnapshotId(), table.snapshotId(), false));
      }
    }
    String id = "promotion-" + UUID.randomUUID().toString().substring(0, 8);
    boolean started =
        workspace
            .runStore()
            .promotions()
            .start(
                id,
                name,
                clock.instant(),
                workspace.audit().principal(),
                environment.gitCommit(),
                tables);
    if (!started) {
      refused(
          name,
          null,
          () -> {
            refuseWhileRunning();
            throw new InvalidInputException("Another promotion started meanwhile: try again");
          });
    }
    // production may have moved between the check above and the start (another promotion that
    // finished meanwhile): checked again while this one holds the lock, before anything moves
    refused(
        name,
        id,
        () -> {
          try {
            checkNotBehind(environment);
          } catch (InvalidInputException behind) {
            workspace
                .runStore()
                .promotions()
                .finish(id, PromotionRecords.Status.ABANDONED, clock.instant());
            throw behind;
          }
        });
    audit(name, id, "started", null);
    return new Outcome(apply(id), checks);
  }

  /**
   * Finishes the promotion that was interrupted (its process killed): the tables whose main has not
   * moved yet move now.
   *
   * @throws InvalidInputException when no promotion is running
   */
  public Outcome resume() {
    Promotion running =
        workspace
            .runStore()
            .promotions()
            .running()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "No promotion to resume: every promotion finished ('sluice promote"
                            + " --list' lists them)"));
    List<String> conflicts = new ArrayList<>();
    Lake lake = workspace.lake();
    for (PromotedTable table : running.tables()) {
      if (!table.done() && where(lake, running, table) == Position.CHANGED) {
        conflicts.add(
            table.table()
                + (table.view() ? " (version " : " (snapshot ")
                + table.fromSnapshotId()
                + " when the promotion started, "
                + Environments.ProductionVersion.of(lake, TableName.parse(table.table())).describe()
                + " now)");
      }
    }
    if (!conflicts.isEmpty()) {
      audit(running.environment(), running.id(), "resume refused", String.join(", ", conflicts));
      throw new InvalidInputException(
          "Promotion "
              + running.id()
              + " of environment "
              + running.environment()
              + " cannot be resumed: production changed since it started in "
              + String.join(", ", conflicts)
              + ", so the environment's version would overwrite that change. Nothing was moved."
              + " Give it up with 'sluice promote --abandon "
              + running.id()
              + "' (the tables it moved go back to production's version before it), then"
              + " 'sluice env rebase "
              + running.environment()
              + "' and promote again");
    }
    audit(running.environment(), running.id(), "resumed", null);
    return new Outcome(apply(running.id()), null);
  }

  /**
   * What abandoning a promotion did.
   *
   * @param restored the tables and views moved back to production's version before the promotion
   * @param kept the tables and views the promotion had moved that production changed since: left as
   *     production has them, which includes the promoted version
   */
  public record Abandonment(Promotion promotion, List<String> restored, List<String> kept) {
    public Abandonment {
      requireNonNull(promotion, "promotion is null");
      restored = List.copyOf(restored);
      kept = List.copyOf(kept);
    }
  }

  /**
   * Gives up a running promotion (one whose process was killed, and which {@link #resume} cannot
   * finish because production changed meanwhile): every table and view it moved goes back to
   * production's version before it, last moved first, unless production changed it since (then it
   * is kept, and named); the promotion is marked abandoned, which lets other promotions run; the
   * environment stays, to be rebased and promoted again. Audited.
   *
   * @param id the promotion, or null for the running one
   * @throws InvalidInputException when no promotion is running, or {@code id} is not the running
   *     one
   */
  public Abandonment abandon(String id) {
    PromotionRecords records = workspace.runStore().promotions();
    Promotion running =
        records
            .running()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        id == null
                            ? "No promotion to abandon: none is running ('sluice promote --list'"
                                + " lists them)"
                            : "Promotion "
                                + id
                                + " is not running: "
                                + records
                                    .find(id)
                                    .map(
                                        found ->
                                            "it is "
                                                + found.status().label()
                                                + " ('sluice rollback --to "
                                                + id
                                                + "' undoes a finished one)")
                                    .orElse("there is no such promotion")));
    if (id != null && !id.equals(running.id())) {
      throw new InvalidInputException(
          "Promotion "
              + id
              + " is not running: the running one is "
              + running.id()
              + " (of environment "
              + running.environment()
              + ")");
    }
    Lake lake = workspace.lake();
    List<String> restored = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    List<PromotedTable> lastMovedFirst = new ArrayList<>(running.tables());
    Collections.reverse(lastMovedFirst);
    for (PromotedTable table : lastMovedFirst) {
      switch (where(lake, running, table)) {
        case PROMOTED -> {
          moveBack(lake, table);
          records.markTable(running.id(), table.table(), false);
          restored.add(table.table());
        }
        case CHANGED -> {
          if (table.done()) {
            kept.add(table.table());
          }
        }
        case BEFORE -> {
          if (table.done()) {
            records.markTable(running.id(), table.table(), false);
          }
        }
      }
    }
    records.finish(running.id(), PromotionRecords.Status.ABANDONED, clock.instant());
    audit(
        running.environment(),
        running.id(),
        "abandoned",
        "moved back: "
            + (restored.isEmpty() ? "none" : String.join(", ", restored))
            + (kept.isEmpty()
                ? ""
                : "; kept, production changed them since: " + String.join(", ", kept)));
    return new Abandonment(records.find(running.id()).orElseThrow(), restored, kept);
  }

  /** Where production's table or view is, for a promotion that is running. */
  private enum Position {
    /** As the promotion found it. */
    BEFORE,
    /** At the environment's version: the promotion moved it (recorded or not). */
    PROMOTED,
    /** Elsewhere: production changed it. */
    CHANGED
  }

  private static Position where(Lake lake, Promotion promotion, PromotedTable table) {
    TableName name = TableName.parse(table.table());
    Environments.ProductionVersion production = Environments.ProductionVersion.of(lake, name);
    if (table.view()) {
      if (table.done()) {
        return production.isAt(table.toSnapshotId(), table.toViewUuid())
            ? Position.PROMOTED
            : Position.CHANGED;
      }
      if (production.isAt(table.fromSnapshotId(), table.fromViewUuid())) {
        return Position.BEFORE;
      }
      // replaced before the process was killed, and not recorded: production has the
      // environment's definition
      Optional<View> own = lake.environmentViews().find(name, promotion.environment());
      Optional<View> current = lake.findView(name);
      return own.isPresent()
              && current.isPresent()
              && ViewDefinition.of(current.get()).sameQuery(ViewDefinition.of(own.get()))
          ? Position.PROMOTED
          : Position.CHANGED;
    }
    if (production.isAt(table.toSnapshotId(), null)) {
      return Position.PROMOTED;
    }
    return production.isAt(table.fromSnapshotId(), null) ? Position.BEFORE : Position.CHANGED;
  }

  /** Moves a promoted table or view back to production's version before the promotion. */
  private static void moveBack(Lake lake, PromotedTable table) {
    TableName name = TableName.parse(table.table());
    if (table.view()) {
      if (table.viewBefore() == null) {
        lake.dropTable(name);
      } else {
        ViewDefinition.fromJson(table.viewBefore()).replace(lake, name);
      }
    } else if (table.fromSnapshotId() == null) {
      lake.branches().clearMain(name, table.toSnapshotId());
    } else {
      lake.branches().moveMain(name, table.toSnapshotId(), table.fromSnapshotId());
    }
  }

  /** Every promotion, newest first. */
  public List<Promotion> list() {
    return workspace.runStore().promotions().list();
  }

  private Promotion apply(String id) {
    PromotionRecords records = workspace.runStore().promotions();
    Promotion promotion = records.find(id).orElseThrow();
    Lake lake = workspace.lake();
    for (PromotedTable table : promotion.tables()) {
      if (table.done()) {
        continue;
      }
      TableName name = TableName.parse(table.table());
      beforeMove.accept(name);
      if (table.view()) {
        View replaced = replaceView(lake, name, promotion, table);
        records.markView(
            id, table.table(), replaced.currentVersion().versionId(), replaced.uuid().toString());
      } else {
        lake.branches().moveMain(name, table.fromSnapshotId(), table.toSnapshotId());
        records.markTable(id, table.table(), true);
      }
    }
    // production now holds what the environment built: its branches are no longer needed, and
    // no file is deleted with them (main references every one)
    for (PromotedTable table : promotion.tables()) {
      if (table.view()) {
        lake.environmentViews().drop(TableName.parse(table.table()), promotion.environment());
      } else {
        lake.branches().remove(TableName.parse(table.table()), promotion.environment());
      }
    }
    workspace.runStore().environments().remove(promotion.environment());
    records.finish(id, PromotionRecords.Status.DONE, clock.instant());
    audit(promotion.environment(), id, "promoted", null);
    return records.find(id).orElseThrow();
  }

  /**
   * Replaces production's view with the environment's version of it (a view has no snapshots to
   * fast-forward: its definition is what moves) and returns production's view then. Production's
   * view must still be where the promotion found it (the same view, at the same version), as a
   * table's main must still be at its snapshot; a promotion killed after it replaced the view, but
   * before it recorded so, finds the environment's definition there and leaves it.
   *
   * @throws InvalidInputException when the environment no longer holds its view, or production's
   *     view changed since the promotion started
   */
  private static View replaceView(
      Lake lake, TableName name, Promotion promotion, PromotedTable table) {
    String environment = promotion.environment();
    View own =
        lake.environmentViews()
            .find(name, environment)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "Environment "
                            + environment
                            + " no longer holds its view "
                            + name
                            + " (dropped meanwhile?): production's view was not replaced. Run"
                            + " 'sluice run --env "
                            + environment
                            + "' and promote again"));
    Environments.ProductionVersion production = Environments.ProductionVersion.of(lake, name);
    if (!production.isAt(table.fromSnapshotId(), table.fromViewUuid())) {
      Optional<View> current = lake.findView(name);
      if (current.isPresent()
          && ViewDefinition.of(current.get()).sameQuery(ViewDefinition.of(own))) {
        return current.get(); // replaced before the process was killed
      }
      throw new InvalidInputException(
          "Production's view "
              + name
              + " is at version "
              + production.describe()
              + ", not "
              + table.fromSnapshotId()
              + " as promotion "
              + promotion.id()
              + " found it: it changed meanwhile, and was not replaced");
    }
    ViewDefinition.of(own).replace(lake, name);
    return lake.findView(name).orElseThrow();
  }

  /**
   * Returns production to where a promotion found it: each table's main moves back to its snapshot
   * before the promotion (a table that had no data is emptied).
   *
   * @throws InvalidInputException when the promotion is unknown, not done, or production changed a
   *     table since (naming it)
   */
  public Promotion rollback(String id) {
    PromotionRecords records = workspace.runStore().promotions();
    Promotion promotion =
        records
            .find(id)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "No promotion " + id + ": 'sluice promote --list' lists them"));
    if (promotion.status() != PromotionRecords.Status.DONE) {
      throw new InvalidInputException(
          "Promotion "
              + id
              + " is "
              + promotion.status().label()
              + ": only a finished promotion is rolled back"
              + (promotion.status() == PromotionRecords.Status.RUNNING
                  ? " (finish it first with 'sluice promote --resume')"
                  : ""));
    }
    Lake lake = workspace.lake();
    List<String> moved = new ArrayList<>();
    for (PromotedTable table : promotion.tables()) {
      Environments.ProductionVersion main =
          Environments.ProductionVersion.of(lake, TableName.parse(table.table()));
      if (!main.isAt(table.toSnapshotId(), table.toViewUuid())) {
        moved.add(
            table.table()
                + " (now at snapshot "
                + main.describe()
                + ", promoted "
                + table.toSnapshotId()
                + ")");
      }
    }
    if (!moved.isEmpty()) {
      audit(
          promotion.environment(),
          id,
          "rollback refused",
          "production changed since in " + String.join(", ", moved));
      throw new InvalidInputException(
          "Cannot roll back promotion "
              + id
              + ": production changed since in "
              + String.join(", ", moved)
              + "; nothing was changed");
    }
    for (PromotedTable table : promotion.tables()) {
      moveBack(lake, table);
      records.markTable(id, table.table(), false);
    }
    records.finish(id, PromotionRecords.Status.ROLLED_BACK, clock.instant());
    audit(promotion.environment(), id, "rolled_back", null);
    return records.find(id).orElseThrow();
  }

  /** Runs a check that refuses the promotion by throwing, and audits the refusal. */
  private void refused(String environment, String promotionId, Runnable check) {
    try {
      check.run();
    } catch (InvalidInputException refusal) {
      audit(environment, promotionId, "refused", refusal.getMessage());
      throw refusal;
    }
  }

  private void refuseWhileRunning() {
    workspace
        .runStore()
        .promotions()
        .running()
        .ifPresent(
            running -> {
              throw new InvalidInputException(
                  "Promotion "
                      + running.id()
                      + " of environment "
                      + running.environment()
                      + " is running since "
                      + running.startedAt()
                      + " (or was interrupted): promotions run one at a time. Wait for it, or"
                      + " finish an interrupted one with 'sluice promote --resume' (or give it"
                      + " up with 'sluice promote --abandon')");
            });
  }

  /** Refuses an environment built on production that has moved since, naming what moved. */
  private void checkNotBehind(Environment environment) {
    Lake lake = workspace.lake();
    List<String> moved = new ArrayList<>();
    for (EnvironmentTable table : environment.tables()) {
      TableName name = TableName.parse(table.table());
      Environments.ProductionVersion main = Environments.ProductionVersion.of(lake, name);
      if (!main.isAt(table.baseSnapshotId(), table.baseViewUuid())) {
        moved.add(
            table.table()
                + " (snapshot "
                + table.baseSnapshotId()
                + " then, "
                + main.describe()
                + " now)");
      }
      if (table.built()) {
        Long head =
            lake.branches()
                .head(name, environment.name())
                .or(
                    () ->
                        lake.environmentViews()
                            .find(name, environment.name())
                            .map(view -> (long) view.currentVersion().versionId()))
                .orElse(null);
        if (!Objects.equals(head, table.snapshotId())) {
          throw new InvalidInputException(
              "Environment "
                  + environment.name()
                  + "'s branch of "
                  + table.table()
                  + " is at snapshot "
                  + head
                  + ", not "
                  + table.snapshotId()
                  + " as its last build recorded: run 'sluice run --env "
                  + environment.name()
                  + "' again");
        }
      }
    }
    if (!moved.isEmpty()) {
      throw new InvalidInputException(
          "Environment "
              + environment.name()
              + " is behind production, which changed since it was built: "
              + String.join(", ", moved)
              + ". Rebuild it on production with 'sluice env rebase "
              + environment.name()
              + "', then promote it");
    }
  }

  private void audit(String environment, String promotionId, String event, String detail) {
    workspace
        .audit()
        .record(
            workspace
                .audit()
                .entry(AuditAction.PROMOTION)
                .detail("environment", environment)
                .detail("promotion_id", promotionId)
                .detail("event", event)
                .detail("detail", detail)
                .build());
  }
}
