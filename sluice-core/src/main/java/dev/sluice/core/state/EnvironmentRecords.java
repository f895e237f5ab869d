package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.nullableLong;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The development environments of a {@link RunStore}: when each was built, by which run, from which
 * project revision, and the tables of its last build. The data itself is in the tables' Iceberg
 * branches named after the environment.
 */
public final class EnvironmentRecords {
  private final StateTransactions transactions;

  EnvironmentRecords(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /**
   * An environment.
   *
   * @param runId the run of its last build, or null when it built nothing (nothing differed)
   * @param gitCommit the project's git commit it was last built from, or null outside a git
   *     repository
   * @param gitDirty whether the project had uncommitted changes then
   */
  public record Environment(
      String name,
      Instant createdAt,
      Instant updatedAt,
      String runId,
      String gitCommit,
      boolean gitDirty,
      List<EnvironmentTable> tables) {
    public Environment {
      requireNonNull(name, "name is null");
      requireNonNull(createdAt, "createdAt is null");
      requireNonNull(updatedAt, "updatedAt is null");
      tables = List.copyOf(tables);
    }

    /** The tables the environment built into its branch. */
    public List<EnvironmentTable> built() {
      return tables.stream().filter(EnvironmentTable::built).toList();
    }
  }

  /**
   * A table of an environment's last build.
   *
   * @param built whether the environment built it (else it read it from production)
   * @param model the model that builds it, or null for a table read from production
   * @param fingerprint the model's fingerprint it was built with, or null
   * @param snapshotId the head of the environment's branch of a table it built, or null
   * @param baseSnapshotId main's head when the build started, or null when main had no data; of a
   *     view, production's view version
   * @param baseViewUuid of a view, the UUID of production's view that {@code baseSnapshotId} is a
   *     version of (a view dropped and created again has another), or null
   */
  public record EnvironmentTable(
      String table,
      boolean built,
      String model,
      String fingerprint,
      Long snapshotId,
      Long baseSnapshotId,
      String baseViewUuid) {
    public EnvironmentTable {
      requireNonNull(table, "table is null");
    }

    /** A table of an environment (not a view of production). */
    public EnvironmentTable(
        String table,
        boolean built,
        String model,
        String fingerprint,
        Long snapshotId,
        Long baseSnapshotId) {
      this(table, built, model, fingerprint, snapshotId, baseSnapshotId, null);
    }
  }

  /**
   * Records a build of an environment: creates it, or replaces what its last build recorded (its
   * creation time stays).
   */
  public void recordBuild(
      String name,
      Instant at,
      String runId,
      String gitCommit,
      boolean gitDirty,
      List<EnvironmentTable> tables) {
    requireNonNull(name, "name is null");
    requireNonNull(at, "at is null");
    requireNonNull(tables, "tables is null");
    transactions.write(
        "record the build of environment " + name,
        connection -> {
          int updated =
              update(
                  connection,
                  "UPDATE sluice_environments SET updated_at = ?, run_id = ?, git_commit = ?,"
                      + " git_dirty = ? WHERE name = ?",
                  at,
                  runId,
                  gitCommit,
                  gitDirty ? 1 : 0,
                  name);
          if (updated == 0) {
            update(
                connection,
                "INSERT INTO sluice_environments (name, created_at, updated_at, run_id,"
                    + " git_commit, git_dirty) VALUES (?, ?, ?, ?, ?, ?)",
                name,
                at,
                at,
                runId,
                gitCommit,
                gitDirty ? 1 : 0);
          }
          update(connection, "DELETE FROM sluice_environment_tables WHERE environment = ?", name);
          List<Object[]> rows = new ArrayList<>();
          for (EnvironmentTable table : tables) {
            rows.add(
                new Object[] {
                  name,
                  table.table(),
                  table.built() ? 1 : 0,
                  table.model(),
                  table.fingerprint(),
                  nullableLong(table.snapshotId()),
                  nullableLong(table.baseSnapshotId()),
                  table.baseViewUuid()
                });
          }
          batch(
              connection,
              "INSERT INTO sluice_environment_tables (environment, table_name, built, model,"
                  + " fingerprint, snapshot_id, base_snapshot_id, base_view_uuid)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              rows);
          return null;
        });
  }

  /** An environment with the tables of its last build, or empty when there is none so named. */
  public Optional<Environment> find(String name) {
    requireNonNull(name, "name is null");
    return transactions.read(
        "read environment " + name,
        connection -> {
          Optional<Environment> found =
              first(
                  connection,
                  "SELECT name, created_at, updated_at, run_id, git_commit, git_dirty"
                      + " FROM sluice_environments WHERE name = ?",
                  row -> environment(row, List.of()),
                  name);
          if (found.isEmpty()) {
            return found;
          }
          List<EnvironmentTable> tables =
              StateSql.list(
                  connection,
                  "SELECT table_name, built, model, fingerprint, snapshot_id, base_snapshot_id,"
                      + " base_view_uuid FROM sluice_environment_tables WHERE environment = ?"
                      + " ORDER BY built DESC, table_name",
                  row ->
                      new EnvironmentTable(
                          row.getString(1),
                          row.getInt(2) == 1,
                          row.getString(3),
                          row.getString(4),
                          nullable(row, 5),
                          nullable(row, 6),
                          row.getString(7)),
                  name);
          Environment environment = found.get();
          return Optional.of(
              new Environment(
                  environment.name(),
                  environment.createdAt(),
                  environment.updatedAt(),
                  environment.runId(),
                  environment.gitCommit(),
                  environment.gitDirty(),
                  tables));
        });
  }

  /** Every environment (without its tables), by name. */
  public List<Environment> list() {
    return transactions.read(
        "read environments",
        connection ->
            StateSql.list(
                connection,
                "SELECT name, created_at, updated_at, run_id, git_commit, git_dirty"
                    + " FROM sluice_environments ORDER BY name",
                row -> environment(row, List.of())));
  }

  /** Records that a run builds an environment, before its first step. */
  public void recordRun(String runId, String environment) {
    requireNonNull(runId, "runId is null");
    requireNonNull(environment, "environment is null");
    transactions.write(
        "record run " + runId + " of environment " + environment,
        connection ->
            update(
                connection,
                "INSERT INTO sluice_environment_runs (run_id, environment) VALUES (?, ?)",
                runId,
                environment));
  }

  /** The environment a run built, or empty for a run of production. */
  public Optional<String> environmentOf(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read the environment of run " + runId,
        connection ->
            first(
                connection,
                "SELECT environment FROM sluice_environment_runs WHERE run_id = ?",
                row -> row.getString(1),
                runId));
  }

  /**
   * Forgets an environment.
   *
   * @return whether there was one so named
   */
  public boolean remove(String name) {
    requireNonNull(name, "name is null");
    return transactions.write(
        "remove environment " + name,
        connection -> {
          update(connection, "DELETE FROM sluice_environment_tables WHERE environment = ?", name);
          return update(connection, "DELETE FROM sluice_environments WHERE name = ?", name) == 1;
        });
  }

  private static Environment environment(ResultSet row, List<EnvironmentTable> tables)
      throws SQLException {
    return new Environment(
        row.getString(1),
        Instant.ofEpochMilli(row.getLong(2)),
        Instant.ofEpochMilli(row.getLong(3)),
        row.getString(4),
        row.getString(5),
        row.getInt(6) == 1,
        tables);
  }

  private static Long nullable(ResultSet row, int column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }
}
