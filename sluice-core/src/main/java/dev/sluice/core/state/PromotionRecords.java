package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.nullableLong;
import static dev.sluice.core.state.StateSql.nullableMillis;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The promotions of environments to production, in a {@link RunStore}: each promotion's plan (per
 * table, main's snapshot before and the environment's snapshot it moves to) is recorded before
 * production moves, and each table is marked once its main has moved, so that an interrupted
 * promotion can be finished. At most one promotion is running at a time, in any process.
 */
public final class PromotionRecords {
  private final StateTransactions transactions;

  PromotionRecords(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Where a promotion stands. */
  public enum Status {
    RUNNING,
    DONE,
    ROLLED_BACK,
    /**
     * Given up while running ({@code sluice promote --abandon}): the tables it moved moved back.
     */
    ABANDONED;

    public String label() {
      return Labels.of(this);
    }
  }

  /** A promotion and its tables, in the order they move. */
  public record Promotion(
      String id,
      String environment,
      Status status,
      Instant startedAt,
      Instant finishedAt,
      String principal,
      String gitCommit,
      List<PromotedTable> tables) {
    public Promotion {
      requireNonNull(id, "id is null");
      requireNonNull(environment, "environment is null");
      requireNonNull(status, "status is null");
      requireNonNull(startedAt, "startedAt is null");
      requireNonNull(principal, "principal is null");
      tables = List.copyOf(tables);
    }
  }

  /**
   * A table (or view) of a promotion.
   *
   * @param fromSnapshotId main's head before the promotion, or null when main had no data; of a
   *     view, production's view version before, or null when production had no such view
   * @param toSnapshotId the environment's snapshot main moves to; of a view, the environment's view
   *     version until production's view is replaced, then production's new version
   * @param done whether main has moved (the view was replaced)
   * @param view whether this is a view
   * @param viewBefore of a view, production's definition before the promotion as JSON ({@code sql},
   *     {@code schema}, {@code properties}), or null when production had no such view
   * @param fromViewUuid of a view, the UUID of production's view before the promotion, or null
   * @param toViewUuid of a view, the UUID of production's view once the promotion replaced it, or
   *     null until then
   */
  public record PromotedTable(
      String table,
      Long fromSnapshotId,
      long toSnapshotId,
      boolean done,
      boolean view,
      String viewBefore,
      String fromViewUuid,
      String toViewUuid) {
    public PromotedTable {
      requireNonNull(table, "table is null");
    }

    /** A table of a promotion (not a view). */
    public PromotedTable(String table, Long fromSnapshotId, long toSnapshotId, boolean done) {
      this(table, fromSnapshotId, toSnapshotId, done, false, null, null, null);
    }
  }

  /**
   * Records a promotion as running, with its tables, unless another one is running.
   *
   * @return whether it was recorded (false: another promotion is running)
   */
  public boolean start(
      String id,
      String environment,
      Instant at,
      String principal,
      String gitCommit,
      List<PromotedTable> tables) {
    requireNonNull(id, "id is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(at, "at is null");
    requireNonNull(principal, "principal is null");
    return transactions.write(
        "start promotion " + id,
        connection -> {
          if (update(
                  connection,
                  "INSERT INTO sluice_promotions (id, environment, status, started_at, principal,"
                      + " git_commit) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                  id,
                  environment,
                  Status.RUNNING,
                  at,
                  principal,
                  gitCommit)
              == 0) {
            return false;
          }
          List<Object[]> rows = new ArrayList<>();
          for (int i = 0; i < tables.size(); i++) {
            PromotedTable table = tables.get(i);
            rows.add(
                new Object[] {
                  id,
                  table.table(),
                  i,
                  nullableLong(table.fromSnapshotId()),
                  table.toSnapshotId(),
                  table.done() ? 1 : 0,
                  table.view() ? "view" : "table",
                  table.viewBefore(),
                  table.fromViewUuid(),
                  table.toViewUuid()
                });
          }
          batch(
              connection,
              "INSERT INTO sluice_promotion_tables (promotion_id, table_name, position,"
                  + " from_snapshot_id, to_snapshot_id, done, kind, view_before, from_view_uuid,"
                  + " to_view_uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              rows);
          return true;
        });
  }

  /** Marks a table of a promotion as moved (or, for a rollback, as moved back). */
  public void markTable(String id, String table, boolean done) {
    transactions.write(
        "mark table " + table + " of promotion " + id,
        connection ->
            update(
                connection,
                "UPDATE sluice_promotion_tables SET done = ? WHERE promotion_id = ?"
                    + " AND table_name = ?",
                done ? 1 : 0,
                id,
                table));
  }

  /**
   * Marks a view of a promotion as replaced in production, with production's new version of it and
   * the view's UUID (what a rollback later expects to find).
   */
  public void markView(String id, String view, long productionVersion, String viewUuid) {
    transactions.write(
        "mark view " + view + " of promotion " + id,
        connection ->
            update(
                connection,
                "UPDATE sluice_promotion_tables SET done = 1, to_snapshot_id = ?, to_view_uuid = ?"
                    + " WHERE promotion_id = ? AND table_name = ?",
                productionVersion,
                viewUuid,
                id,
                view));
  }

  /** Ends a running promotion, or marks a finished one rolled back. */
  public void finish(String id, Status status, Instant at) {
    transactions.write(
        "finish promotion " + id,
        connection ->
            update(
                connection,
                "UPDATE sluice_promotions SET status = ?, finished_at = ? WHERE id = ?",
                status,
                nullableMillis(at),
                id));
  }

  /** The running promotion, if any (one whose process was killed stays running). */
  public Optional<Promotion> running() {
    Optional<String> id =
        transactions.read(
            "read the running promotion",
            connection ->
                first(
                    connection,
                    "SELECT id FROM sluice_promotions WHERE status = ?",
                    row -> row.getString(1),
                    Status.RUNNING));
    return id.flatMap(this::find);
  }

  /** A promotion with its tables, or empty. */
  public Optional<Promotion> find(String id) {
    requireNonNull(id, "id is null");
    return transactions.read(
        "read promotion " + id,
        connection -> {
          Optional<Promotion> found =
              first(
                  connection,
                  "SELECT id, environment, status, started_at, finished_at, principal, git_commit"
                      + " FROM sluice_promotions WHERE id = ?",
                  row -> promotion(row, List.of()),
                  id);
          if (found.isEmpty()) {
            return found;
          }
          List<PromotedTable> tables =
              StateSql.list(
                  connection,
                  "SELECT table_name, from_snapshot_id, to_snapshot_id, done, kind, view_before,"
                      + " from_view_uuid, to_view_uuid FROM sluice_promotion_tables WHERE promotion_id = ? ORDER BY position",
                  row -> {
                    long from = row.getLong(2);
                    Long fromSnapshot = row.wasNull() ? null : from;
                    return new PromotedTable(
                        row.getString(1),
                        fromSnapshot,
                        row.getLong(3),
                        row.getInt(4) == 1,
                        "view".equals(row.getString(5)),
                        row.getString(6),
                        row.getString(7),
                        row.getString(8));
                  },
                  id);
          Promotion promotion = found.get();
          return Optional.of(
              new Promotion(
                  promotion.id(),
                  promotion.environment(),
                  promotion.status(),
                  promotion.startedAt(),
                  promotion.finishedAt(),
                  promotion.principal(),
                  promotion.gitCommit(),
                  tables));
        });
  }

  /** Every promotion (without its tables), newest first. */
  public List<Promotion> list() {
    return transactions.read(
        "read promotions",
        connection ->
            StateSql.list(
                connection,
                "SELECT id, environment, status, started_at, finished_at, principal, git_commit"
                    + " FROM sluice_promotions ORDER BY started_at DESC, id",
                row -> promotion(row, List.of())));
  }

  private static Promotion promotion(ResultSet row, List<PromotedTable> tables)
      throws SQLException {
    long finished = row.getLong(5);
    Instant finishedAt = row.wasNull() ? null : Instant.ofEpochMilli(finished);
    return new Promotion(
        row.getString(1),
        row.getString(2),
        Status.valueOf(row.getString(3)),
        Instant.ofEpochMilli(row.getLong(4)),
        finishedAt,
        row.getString(6),
        row.getString(7),
        tables);
  }
}
