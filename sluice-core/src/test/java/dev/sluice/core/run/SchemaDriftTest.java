package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
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
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schema_drift: evolve | freeze | discard}, through the real runner, with file and
 * PostgreSQL sources whose columns change between loads.
 */
class SchemaDriftTest {
  private static final TableName ORDERS = new TableName("raw", "shop_orders");

  @TempDir Path project;

  @Test
  void evolveAddsNewColumnsAndRecordsWhatChanged() throws Exception {
    writeFileProject("evolve");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      write(project, "data/b.csv", "id,name,discount\n3,c,1.5\n4,d,2.5\n");
      RunResult second = run(workspace);
      StepResult step = step(second);
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.detail()).contains("schema evolved: added discount double");
      assertThat(columns(workspace)).contains("discount");
      assertThat(rows(workspace, "select id, discount from raw.shop_orders order by id"))
          .containsExactly(
              List.of("1", "null"), List.of("2", "null"), List.of("3", "1.5"), List.of("4", "2.5"));
      assertThat(String.valueOf(workspace.runStore().events().events(second.runId())))
          .contains("added discount");
    }
  }

  @Test
  void numbersLoadedIntoATextColumnAreNoTypeChange() throws Exception {
    writeFileProject("freeze");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      write(project, "data/b.csv", "id,name\n3,7\n");
      StepResult step = step(run(workspace));
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.detail()).doesNotContain("retyped").doesNotContain("schema");
      assertThat(rows(workspace, "select id, name from raw.shop_orders order by id"))
          .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "7"));
      assertThat(workspace.lake().loadTable(ORDERS).schema().findField("name").type().toString())
          .isEqualTo("string");
    }
  }

  @Test
  void freezeFailsWithTheDifferenceAndCommitsNothing() throws Exception {
    writeFileProject("freeze");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      long snapshot = workspace.lake().currentSnapshot(ORDERS).orElseThrow().snapshotId();
      write(project, "data/b.csv", "id,note\n3,late\n");
      RunResult second = run(workspace);
      StepResult step = step(second);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("shop.orders")
          .contains("schema_drift is freeze")
          .contains("added note string")
          .contains("removed name")
          .contains("Nothing was loaded");
      assertThat(workspace.lake().currentSnapshot(ORDERS).orElseThrow().snapshotId())
          .isEqualTo(snapshot);
      assertThat(columns(workspace)).doesNotContain("note");
      assertThat(rows(workspace, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("2"));
    }
  }

  @Test
  void discardDropsNewColumnsWithAWarning() throws Exception {
    writeFileProject("discard");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      write(project, "data/b.csv", "id,name,discount\n3,c,1.5\n");
      StepResult step = step(run(workspace));
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.detail()).contains("new columns dropped").contains("discount");
      assertThat(columns(workspace)).doesNotContain("discount");
      assertThat(rows(workspace, "select id, name from raw.shop_orders order by id"))
          .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
    }
  }

  @Test
  void postgresSourcesFollowEachPolicy() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id int PRIMARY KEY, status text)",
          "INSERT INTO orders VALUES (1, 'new'), (2, 'paid')");
      write(project, "secrets/password", source.password());
      write(project, "sluice.yaml", "name: shop\n");
      writePostgresSource(source, "freeze");
      try (Workspace workspace = Workspace.open(project)) {
        assertThat(run(workspace).succeeded()).isTrue();
      }
      execute(
          source,
          "ALTER TABLE orders ADD COLUMN amount numeric(10, 2)",
          "ALTER TABLE orders ALTER COLUMN id TYPE bigint",
          "INSERT INTO orders VALUES (3, 'new', 9.99)");

      try (Workspace workspace = Workspace.open(project)) {
        StepResult frozen = step(run(workspace));
        assertThat(frozen.status()).isEqualTo(StepStatus.FAILED);
        assertThat(frozen.error())
            .contains("added amount decimal(10, 2)")
            .contains("retyped id: int → long");
        assertThat(rows(workspace, "select count(*) from raw.shop_orders"))
            .containsExactly(List.of("2"));
      }

      writePostgresSource(source, "discard");
      try (Workspace workspace = Workspace.open(project)) {
        StepResult discarded = step(run(workspace));
        assertThat(discarded.status())
            .as(String.valueOf(discarded))
            .isEqualTo(StepStatus.SUCCEEDED);
        // the new column is dropped; the widened id is kept, as evolve would
        assertThat(discarded.detail())
            .contains("new columns dropped")
            .contains("amount")
            .contains("retyped id: int → long");
        assertThat(columns(workspace)).doesNotContain("amount");
        assertThat(rows(workspace, "select count(*) from raw.shop_orders"))
            .containsExactly(List.of("3"));
      }

      writePostgresSource(source, "evolve");
      try (Workspace workspace = Workspace.open(project)) {
        StepResult evolved = step(run(workspace));
        assertThat(evolved.status()).as(String.valueOf(evolved)).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(evolved.detail()).contains("schema evolved: added amount decimal(10, 2)");
        assertThat(workspace.lake().loadTable(ORDERS).schema().findField("id").type())
            .isEqualTo(Types.LongType.get());
        assertThat(rows(workspace, "select id, amount from raw.shop_orders order by id"))
            .containsExactly(List.of("1", "null"), List.of("2", "null"), List.of("3", "9.99"));
      }
    }
  }

  @Test
  void anUnknownPolicyIsAProjectErrorWithFileAndLine() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "schema_drift: frozen\ntables:\n  - name: orders\n    path: data/*.csv\n"
            + "    schema_drift: sometimes\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .satisfies(
            e ->
                assertThat(((ProjectException) e).problems())
                    .extracting(Object::toString)
                    .containsExactly(
                        "sources/shop.yaml:1: Unknown schema_drift 'frozen' (schema_drift is evolve (add new columns, widen types),"
                            + " freeze (fail on any change) or discard (drop new columns))",
                        "sources/shop.yaml:5: Unknown schema_drift 'sometimes' (schema_drift is"
                            + " evolve (add new columns, widen types), freeze (fail on any"
                            + " change) or discard (drop new columns))"));
  }

  private void writeFileProject(String policy) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    mode: append\n    schema_drift: "
            + policy
            + "\n");
    write(project, "data/a.csv", "id,name\n1,a\n2,b\n");
  }

  private void writePostgresSource(PostgresDatabase source, String policy) throws IOException {
    write(
        project,
        "sources/shop.yaml",
        """
        connector: postgres
        schema_drift: %s
        options:
          url: %s
          user: %s
          password: ${file:secrets/password}
        tables:
          - name: orders
        """
            .formatted(policy, source.jdbcUrl(), source.user()));
  }

  private static RunResult run(Workspace workspace) {
    return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
  }

  private static StepResult step(RunResult run) {
    return run.steps().stream()
        .filter(step -> step.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step shop.orders in " + run.steps()));
  }

  private static List<String> columns(Workspace workspace) {
    return workspace.lake().loadTable(ORDERS).schema().columns().stream()
        .map(Types.NestedField::name)
        .toList();
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
