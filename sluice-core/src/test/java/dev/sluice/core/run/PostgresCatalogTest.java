package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose Iceberg catalog and run state live in PostgreSQL rather than in SQLite files: a
 * real server (see {@link TestPostgres}), logged in to with credentials given by reference. The
 * catalog and the run state each have a database of their own.
 */
class PostgresCatalogTest {
  private static final List<String> TABLES =
      List.of(
          "curated.countries",
          "curated.orders",
          "published.big_orders",
          "published.revenue_by_country",
          "raw.shop_orders");

  @TempDir Path project;

  private PostgresDatabase catalog;
  private PostgresDatabase state;

  @BeforeEach
  void createDatabases() {
    catalog = TestPostgres.newDatabase();
    state = TestPostgres.newDatabase();
  }

  @AfterEach
  void dropDatabases() {
    try {
      catalog.close();
    } finally {
      state.close();
    }
  }

  @Test
  void keepsCatalogAndRunStateInPostgres() throws Exception {
    writeProject(catalog.jdbcUrl(), state.jdbcUrl());
    RunResult first;
    try (Workspace workspace = Workspace.open(project)) {
      first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(first.steps())
          .extracting(StepResult::asset)
          .containsExactlyInAnyOrder(
              "shop.orders", "countries", "orders", "revenue_by_country", "big_orders");

      QueryService queries = new QueryService(workspace);
      assertThat(
              rows(
                  queries,
                  "select country_name, revenue, orders from published.revenue_by_country order by 1"))
          .containsExactly(
              List.of("Germany", "15.75", "2"), List.of("United States", "20.00", "1"));
      assertThat(rows(queries, "select order_id from published.big_orders order by 1"))
          .containsExactly(List.of("1"), List.of("2"));

      assertThat(workspace.lake().listTables())
          .extracting(TableName::toString)
          .containsExactlyInAnyOrderElementsOf(TABLES);
      RunDetail detail = workspace.runStore().runs().findRun(first.runId()).orElseThrow();
      assertThat(detail.summary().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(detail.steps()).hasSize(5);
    }

    // The catalog is PostgreSQL's: the tables are rows of iceberg_tables, pointing at metadata in
    // the project's warehouse.
    assertThat(
            select(
                catalog,
                "SELECT table_namespace || '.' || table_name, iceberg_type FROM iceberg_tables"
                    + " WHERE catalog_name = 'sluice' ORDER BY 1"))
        .containsExactly(
            List.of("curated.countries", "TABLE"),
            List.of("curated.orders", "TABLE"),
            List.of("published.big_orders", "VIEW"),
            List.of("published.revenue_by_country", "TABLE"),
            List.of("raw.shop_orders", "TABLE"));
    assertThat(
            select(
                catalog,
                "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'raw'"
                    + " AND table_name = 'shop_orders'"))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row.get(0))
                    .contains(project.resolve("warehouse").toAbsolutePath().normalize().toString())
                    .endsWith(".metadata.json"));
    // The run history is in PostgreSQL too.
    assertThat(select(state, "SELECT id, command, status FROM sluice_runs"))
        .containsExactly(List.of(first.runId(), "run", "SUCCEEDED"));
    assertThat(
            select(
                state,
                "SELECT asset, status FROM sluice_steps WHERE run_id = '"
                    + first.runId()
                    + "' ORDER BY asset"))
        .containsExactly(
            List.of("big_orders", "SUCCEEDED"),
            List.of("countries", "SUCCEEDED"),
            List.of("orders", "SUCCEEDED"),
            List.of("revenue_by_country", "SUCCEEDED"),
            List.of("shop.orders", "SUCCEEDED"));
    // And nothing went to the default SQLite files.
    assertThat(project.resolve(".sluice/catalog.db")).doesNotExist();
    assertThat(project.resolve(".sluice/state.db")).doesNotExist();
  }

  @Test
  void workspacesOpenedOnTheSameProjectShareTablesAndRuns() throws Exception {
    writeProject(catalog.jdbcUrl(), state.jdbcUrl());
    try (Workspace writer = Workspace.open(project);
        Workspace reader = Workspace.open(project)) {
      RunResult run = new Runner(writer).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();

      assertThat(reader.lake().listTables())
          .extracting(TableName::toString)
          .containsExactlyInAnyOrderElementsOf(TABLES);
      assertThat(
              rows(
                  new QueryService(reader),
                  "select count(*), sum(orders) from published.revenue_by_country"))
          .containsExactly(List.of("2", "3"));
      assertThat(reader.runStore().runs().findRun(run.runId()))
          .hasValueSatisfying(
              detail -> assertThat(detail.summary().status()).isEqualTo(RunStatus.SUCCEEDED));

      // A new file loaded through one workspace is read through the other.
      write(
          project, "data/orders/2024-02.csv", "order_id,customer_id,amount,country\n4,3,7.00,US\n");
      RunResult second =
          new Runner(writer).run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
      assertThat(second.succeeded()).as(String.valueOf(second.steps())).isTrue();
      assertThat(rows(new QueryService(reader), "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("4"));
      assertThat(reader.runStore().runs().listRuns(10))
          .extracting(RunSummary::id)
          .containsExactly(second.runId(), run.runId());
    }

    // After both are closed, a workspace opened later still sees it all.
    try (Workspace later = Workspace.open(project)) {
      assertThat(later.lake().listTables())
          .extracting(TableName::toString)
          .containsExactlyInAnyOrderElementsOf(TABLES);
      assertThat(rows(new QueryService(later), "select count(*) from curated.orders"))
          .containsExactly(List.of("3"));
      assertThat(later.runStore().runs().listRuns(10)).hasSize(2);
    }
  }

  @Test
  void sharesOneDatabaseBetweenCatalogAndRunState() throws Exception {
    writeProject(catalog.jdbcUrl(), catalog.jdbcUrl());
    try (Workspace workspace = Workspace.open(project)) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();
    }
    assertThat(select(catalog, "SELECT count(*) FROM iceberg_tables"))
        .containsExactly(List.of("5"));
    assertThat(select(catalog, "SELECT count(*) FROM sluice_steps")).containsExactly(List.of("5"));
  }

  @Test
  void explainsAWrongCatalogPasswordWithoutShowingIt() throws Exception {
    writeProject(catalog.jdbcUrl(), state.jdbcUrl());
    write(project, "secrets/catalog-password", "certainly-wrong-password\n");

    assertThatThrownBy(() -> Workspace.open(project).close())
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("Iceberg catalog")
        .hasMessageContaining(catalog.jdbcUrl())
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("certainly-wrong-password")
        .satisfies(
            failure -> assertThat(stackTrace(failure)).doesNotContain("certainly-wrong-password"));
  }

  @Test
  void explainsAWrongStatePasswordWithoutShowingIt() throws Exception {
    writeProject(catalog.jdbcUrl(), state.jdbcUrl());
    write(project, "secrets/state-password", "certainly-wrong-password\n");

    // the run store opens on first use (reads need no run state)
    assertThatThrownBy(
            () -> {
              try (Workspace workspace = Workspace.open(project)) {
                workspace.runStore();
              }
            })
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("state database")
        .hasMessageContaining(state.jdbcUrl())
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("certainly-wrong-password")
        .satisfies(
            failure -> assertThat(stackTrace(failure)).doesNotContain("certainly-wrong-password"));
  }

  /**
   * Writes a small project whose catalog and run state are at the given URLs, with the user and
   * password in files of the project referred to by {@code ${file:...}}.
   */
  private void writeProject(String catalogUrl, String stateUrl) throws IOException {
    write(project, "secrets/catalog-user", catalog.user() + "\n");
    write(project, "secrets/catalog-password", catalog.password() + "\n");
    write(project, "secrets/state-user", state.user() + "\n");
    write(project, "secrets/state-password", state.password() + "\n");
    write(
        project,
        "sluice.yaml",
        """
        name: shop
        threads: 2
        catalog:
          url: %s
          user: ${file:secrets/catalog-user}
          password: ${file:secrets/catalog-password}
        state:
          url: %s
          user: ${file:secrets/state-user}
          password: ${file:secrets/state-password}
        """
            .formatted(catalogUrl, stateUrl));
    write(
        project,
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: orders
            path: data/orders/*.csv
            mode: append
            columns:
              - name: order_id
                type: bigint
                checks: [not_null, unique]
              - name: customer_id
                type: bigint
              - name: amount
                type: decimal(10,2)
              - name: country
                type: varchar
        """);
    write(
        project,
        "data/orders/2024-01.csv",
        "order_id,customer_id,amount,country\n1,1,10.50,DE\n2,2,20.00,US\n3,1,5.25,DE\n");
    write(project, "seeds/countries.csv", "code,country_name\nDE,Germany\nUS,United States\n");
    write(
        project,
        "models/curated/orders.sql",
        "select order_id, customer_id, amount, country from {{ source('shop', 'orders') }}\n");
    write(
        project,
        "models/published/revenue_by_country.sql",
        """
        select k.country_name, sum(o.amount) as revenue, count(*) as orders
        from {{ ref('orders') }} o join {{ ref('countries') }} k on k.code = o.country
        group by 1
        """);
    write(
        project,
        "models/published/big_orders.sql",
        "{{ config(materialized='view') }}\nselect * from {{ ref('orders') }} where amount > 10\n");
    write(
        project,
        "models/published/schema.yaml",
        """
        models:
          - name: revenue_by_country
            columns:
              - name: country_name
                checks: [not_null, unique]
            checks:
              - row_count: {min: 1}
        """);
  }

  /** Rows of a query run on a database directly, each value as a string. */
  private static List<List<String>> select(PostgresDatabase database, String sql)
      throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= columns; column++) {
          row.add(result.getString(column));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }

  private static String stackTrace(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
