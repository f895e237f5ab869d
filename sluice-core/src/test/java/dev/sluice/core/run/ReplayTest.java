package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays ({@code sluice ingest --replay}) through the real runner: a window of a PostgreSQL
 * table's cursor and of a directory's file times is read again and merged, twice, without
 * duplicates, and the run records that it was a replay.
 */
class ReplayTest {
  @TempDir Path project;

  @Test
  void postgresReplayReadsACursorRangeAgainAndMergesItOnTheKey() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at date NOT NULL)",
          "INSERT INTO orders VALUES (1, 'new', '2024-01-01'), (2, 'new', '2024-01-02'),"
              + " (3, 'new', '2024-01-03'), (4, 'new', '2024-01-04')");
      write(project, "secrets/password", source.password());
      write(project, "sluice.yaml", "name: shop\n");
      write(
          project,
          "sources/shop.yaml",
          """
          connector: postgres
          options:
            url: %s
            user: %s
            password: ${file:secrets/password}
          tables:
            - name: orders
              options:
                mode: incremental
                cursor: updated_at
                primary_key: id
          """
              .formatted(source.jdbcUrl(), source.user()));
      try (Workspace workspace = Workspace.open(project)) {
        assertThat(run(workspace, null).succeeded()).isTrue();
        // a fix made without moving the cursor: an ordinary load cannot see it
        execute(source, "UPDATE orders SET status = 'fixed' WHERE id IN (2, 3)");
        assertThat(step(run(workspace, null)).detail()).isEqualTo("no new rows");

        ReplayWindow window = new ReplayWindow("2024-01-02", "2024-01-03");
        RunResult first = run(workspace, window);
        StepResult replayed = step(first);
        assertThat(replayed.status()).as(String.valueOf(replayed)).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(replayed.detail())
            .isEqualTo("replay of [2024-01-02, 2024-01-03]: 2 rows merged on id");
        List<List<String>> once =
            rows(workspace, "select * exclude (_loaded_at) from raw.shop_orders order by id");
        assertThat(once)
            .extracting(row -> row.get(1))
            .containsExactly("new", "fixed", "fixed", "new");

        RunResult second = run(workspace, window);
        assertThat(step(second).status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(
                rows(workspace, "select * exclude (_loaded_at) from raw.shop_orders order by id"))
            .isEqualTo(once);
        assertThat(
                workspace
                    .runStore()
                    .runs()
                    .findRun(second.runId())
                    .orElseThrow()
                    .summary()
                    .command())
            .isEqualTo("ingest --replay [2024-01-02, 2024-01-03]");

        // the replay did not move the cursor back: an ordinary load still finds nothing new
        assertThat(step(run(workspace, null)).detail()).isEqualTo("no new rows");
        execute(source, "INSERT INTO orders VALUES (5, 'new', '2024-01-05')");
        assertThat(step(run(workspace, null)).detail()).isEqualTo("1 row merged on id");
        assertThat(rows(workspace, "select count(*), count(distinct id) from raw.shop_orders"))
            .containsExactly(List.of("5", "5"));
      }
    }
  }

  @Test
  void fileReplayReadsTheFilesModifiedInTheWindowAndReplacesTheirRows() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/january.csv", "id,status\n1,new\n2,new\n");
    write(project, "data/february.csv", "id,status\n3,new\n");
    touch("data/january.csv", "2026-01-15T10:00:00Z");
    touch("data/february.csv", "2026-02-15T10:00:00Z");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, null).succeeded()).isTrue();
      ReplayWindow january = new ReplayWindow("2026-01-01", "2026-01-31");
      for (int i = 0; i < 2; i++) {
        StepResult replayed = step(run(workspace, january));
        assertThat(replayed.status()).as(String.valueOf(replayed)).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(replayed.detail())
            .isEqualTo(
                "replay of [2026-01-01, 2026-01-31]: 1 file reloaded (its earlier rows replaced)");
        assertThat(rows(workspace, "select id, _source_file from raw.shop_orders order by id"))
            .containsExactly(
                List.of("1", "data/january.csv"),
                List.of("2", "data/january.csv"),
                List.of("3", "data/february.csv"));
      }
      // a window with no file in it changes nothing
      StepResult empty = step(run(workspace, new ReplayWindow("2025-01-01", "2025-12-31")));
      assertThat(empty.detail())
          .isEqualTo("replay of [2025-01-01, 2025-12-31]: nothing in the window");
      assertThat(rows(workspace, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
    }
  }

  @Test
  void aChangedFileReplacesTheRowsItWasLoadedWith() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/a.csv", "id,status\n1,new\n2,new\n");
    write(project, "data/b.csv", "id,status\n3,new\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, null).succeeded()).isTrue();
      write(project, "data/a.csv", "id,status\n1,fixed\n2,fixed\n");
      write(project, "data/c.csv", "id,status\n4,new\n");
      StepResult changed = step(run(workspace, null));
      assertThat(changed.status()).as(String.valueOf(changed)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(changed.detail())
          .isEqualTo("1 new file appended, 1 file reloaded (its earlier rows replaced)");
      assertThat(rows(workspace, "select id, status from raw.shop_orders order by id"))
          .containsExactly(
              List.of("1", "fixed"),
              List.of("2", "fixed"),
              List.of("3", "new"),
              List.of("4", "new"));
    }
  }

  private static RunResult run(Workspace workspace, ReplayWindow window) {
    RunOptions options =
        new RunOptions(List.of("source:shop"), List.of(), false).withReplay(window);
    return new Runner(workspace)
        .run(
            options,
            RunListener.NONE,
            window == null ? "ingest" : "ingest --replay " + window.describe());
  }

  private static StepResult step(RunResult run) {
    return run.steps().stream()
        .filter(step -> step.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step shop.orders in " + run.steps()));
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }

  private static void execute(PostgresDatabase source, String... statements) throws SQLException {
    try (Connection connection = source.connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private void touch(String file, String instant) throws IOException {
    Files.setLastModifiedTime(project.resolve(file), FileTime.from(Instant.parse(instant)));
  }
}
