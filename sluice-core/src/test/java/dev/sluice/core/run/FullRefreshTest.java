package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --full-refresh} of sources: whatever the load mode, the table is rebuilt from what the
 * source holds now, in one Iceberg commit on top of the old table (readers see the old rows until
 * then), and a column whose type changed takes the new type.
 */
class FullRefreshTest {
  private static final TableName ORDERS = new TableName("raw", "shop_orders");
  private static final RunOptions FULL_REFRESH = new RunOptions(List.of(), true);

  @TempDir Path project;

  @Test
  void anAppendFileSourceIsRebuiltNotAppendedTo() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/a.csv", "id,name\n1,a\n2,b\n");
    write(
        project,
        "models/order_count.sql",
        "select count(*) as n from {{ source('shop', 'orders') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
      write(project, "data/b.csv", "id,name\n3,c\n");
      assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
      Snapshot before = workspace.lake().currentSnapshot(ORDERS).orElseThrow();

      RunResult refreshed = run(workspace, FULL_REFRESH);

      StepResult step = step(refreshed);
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.detail()).isEqualTo("rebuilt from scratch: 2 files loaded");
      assertThat(rows(workspace, "select id from raw.shop_orders order by id"))
          .containsExactly(List.of("1"), List.of("2"), List.of("3"));
      assertThat(rows(workspace, "select n from curated.order_count"))
          .containsExactly(List.of("3"));
      assertOneCommitOnTop(workspace, before, 3);
      // the rebuild records the files it read: the next run finds nothing new
      assertThat(step(run(workspace, RunOptions.all())).detail()).startsWith("no new files");
      assertThat(rows(workspace, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
    }
  }

  @Test
  void incrementalPostgresSourcesAreRebuiltWithAndWithoutPrimaryKey() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at int NOT NULL)",
          "INSERT INTO orders VALUES (1, 'new', 1), (2, 'new', 2), (3, 'new', 3)",
          "CREATE TABLE events (id int, kind text, at int NOT NULL)",
          "INSERT INTO events VALUES (1, 'a', 1), (2, 'b', 2)");
      writePostgresProject(source);
      try (Workspace workspace = Workspace.open(project)) {
        assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
        execute(source, "DELETE FROM orders WHERE id = 2", "DELETE FROM events WHERE id = 1");
        Snapshot ordersBefore = workspace.lake().currentSnapshot(ORDERS).orElseThrow();

        RunResult refreshed = run(workspace, FULL_REFRESH);

        assertThat(refreshed.succeeded()).as(String.valueOf(refreshed.steps())).isTrue();
        assertThat(step(refreshed).detail()).isEqualTo("rebuilt from scratch: 2 rows loaded");
        // rows deleted in the source are gone: the table is replaced, not merged into
        assertThat(rows(workspace, "select id from raw.shop_orders order by id"))
            .containsExactly(List.of("1"), List.of("3"));
        // without a primary key the rows are not appended a second time
        assertThat(rows(workspace, "select id from raw.shop_events order by id"))
            .containsExactly(List.of("2"));
        assertOneCommitOnTop(workspace, ordersBefore, 3);

        // the cursor is committed with the rebuild: the next run reads only what is new
        execute(source, "INSERT INTO orders VALUES (4, 'new', 4)");
        assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
        assertThat(rows(workspace, "select id from raw.shop_orders order by id"))
            .containsExactly(List.of("1"), List.of("3"), List.of("4"));

        // a source emptied meanwhile empties the table
        execute(source, "DELETE FROM events");
        assertThat(run(workspace, FULL_REFRESH).succeeded()).isTrue();
        assertThat(rows(workspace, "select count(*) from raw.shop_events"))
            .containsExactly(List.of("0"));
      }
    }
  }

  @Test
  void aColumnWhoseTypeChangedIsRebuiltWithTheNewType() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id int PRIMARY KEY, status int, updated_at int NOT NULL)",
          "INSERT INTO orders VALUES (1, 1, 1), (2, 2, 2)",
          "CREATE TABLE events (id int, kind text, at int NOT NULL)");
      writePostgresProject(source);
      try (Workspace workspace = Workspace.open(project)) {
        assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
        execute(
            source,
            "ALTER TABLE orders ALTER COLUMN status TYPE text USING 'paid'",
            "UPDATE orders SET updated_at = 5 WHERE id = 2");

        StepResult failed = step(run(workspace, RunOptions.all()));
        assertThat(failed.status()).isEqualTo(StepStatus.FAILED);
        assertThat(failed.error())
            .contains("Column 'status'")
            .contains("rebuild the table with --full-refresh");

        StepResult rebuilt = step(run(workspace, FULL_REFRESH));

        assertThat(rebuilt.status()).as(String.valueOf(rebuilt)).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(rebuilt.detail()).contains("retyped status: int → string");
        Table table = workspace.lake().loadTable(ORDERS);
        assertThat(table.schema().findField("status").type()).isEqualTo(Types.StringType.get());
        assertThat(rows(workspace, "select id, status from raw.shop_orders order by id"))
            .containsExactly(List.of("1", "paid"), List.of("2", "paid"));
      }
    }
  }

  /** The refresh is one commit whose parent is the old snapshot, which still reads the old rows. */
  private static void assertOneCommitOnTop(Workspace workspace, Snapshot before, long oldRows) {
    Table table = workspace.lake().loadTable(ORDERS);
    Snapshot after = table.currentSnapshot();
    assertThat(after.parentId()).isEqualTo(before.snapshotId());
    assertThat(after.operation()).isEqualTo("overwrite");
    assertThat(SnapshotUtil.ancestorIds(after, table::snapshot)).contains(before.snapshotId());
    QueryResult old =
        new QueryService(workspace)
            .query(
                "select count(*) from raw.shop_orders",
                ReadPoint.snapshot(before.snapshotId()),
                10);
    assertThat(((Number) old.rows().get(0).get(0)).longValue()).isEqualTo(oldRows);
  }

  private void writePostgresProject(PostgresDatabase source) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "secrets/password", source.password());
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
              primary_key: [id]
          - name: events
            options:
              mode: incremental
              cursor: at
        """
            .formatted(source.jdbcUrl(), source.user()));
  }

  private static RunResult run(Workspace workspace, RunOptions options) {
    return new Runner(workspace).run(options, RunListener.NONE);
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
}
