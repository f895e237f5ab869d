package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dbt project's sources: tables with an external location (dbt-duckdb's external_location, or
 * external: {location}) are read from their files, source() reads their rows as dbt-duckdb reads
 * the file, and the tests of their columns run as checks of the load.
 */
class DbtSourcesTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "data/raw_orders.csv",
        "id,user_id,order_date,status\n1,1,2018-01-01,placed\n2,2,2018-01-02,shipped\n"
            + "3,1,2018-01-03,returned\n");
    write(project, "files/payments.csv", "id,order_id,amount\n1,1,10\n2,3,5\n");
    write(
        project,
        "models/sources.yml",
        """
        version: 2
        sources:
          - name: ecom
            schema: raw
            loaded_at_field: order_date
            freshness:
              warn_after: {count: 12, period: hour}
              error_after: {count: 2, period: day}
            meta:
              external_location: "data/{name}.csv"
            tables:
              - name: raw_orders
                columns:
                  - name: id
                    data_tests: [unique, not_null]
                  - name: status
                    data_tests:
                      - accepted_values:
                          values: [placed, shipped, returned]
              - name: payments
                freshness: null
                external:
                  location: files/payments.csv
                columns:
                  - name: order_id
                    data_tests:
                      - relationships:
                          to: source('ecom', 'raw_orders')
                          field: id
        """);
    write(
        project,
        "models/stg_orders.sql",
        "{{ config(materialized='view') }}\nselect * from {{ source('ecom', 'raw_orders') }}\n");
    write(
        project,
        "models/customer_orders.sql",
        """
        select o.user_id as customer_id, count(*) as orders, coalesce(sum(p.amount), 0) as paid
        from {{ ref('stg_orders') }} as o
        left join {{ source('ecom', 'payments') }} as p on p.order_id = o.id
        group by 1
        """);
  }

  @Test
  void sourcesAreReadFromTheirLocationsWithTheirFreshnessAndTests() {
    Project loaded = Project.load(project, Map.of());
    SourceTableDef orders = loaded.sourceTable("ecom", "raw_orders").orElseThrow();
    assertThat(orders.origin()).isEqualTo("data/raw_orders.csv");
    assertThat(orders.freshness().warnAfter()).isEqualTo(Duration.ofHours(12));
    assertThat(orders.freshness().errorAfter()).isEqualTo(Duration.ofDays(2));
    assertThat(orders.freshness().loadedAtField()).isEqualTo("order_date");
    assertThat(orders.allChecks())
        .extracting(CheckDef::name)
        .containsExactly("unique(id)", "not_null(id)", "accepted_values(status)");
    SourceTableDef payments = loaded.sourceTable("ecom", "payments").orElseThrow();
    assertThat(payments.origin()).isEqualTo("files/payments.csv");
    assertThat(payments.freshness()).as("freshness: null turns it off").isNull();

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(
              result.steps().stream()
                  .filter(step -> step.asset().startsWith("ecom."))
                  .flatMap(step -> step.checks().stream()))
          .hasSize(4)
          .allSatisfy(check -> assertThat(check.passed()).isTrue());

      // what dbt-duckdb builds: the view reads the file's columns only, the table joins them
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select * from main.stg_orders order by id"))
          .containsExactly(
              List.of("1", "1", "2018-01-01", "placed"),
              List.of("2", "2", "2018-01-02", "shipped"),
              List.of("3", "1", "2018-01-03", "returned"));
      assertThat(rows(queries, "select * from main.customer_orders order by customer_id"))
          .containsExactly(List.of("1", "2", "15"), List.of("2", "1", "0"));
    }
  }

  @Test
  void aFailingTestOfASourceStopsWhatReadsIt() {
    write(project, "data/raw_orders.csv", "id,user_id,order_date,status\n1,1,2018-01-01,lost\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).isFalse();
      StepResult orders = step(result, "ecom.raw_orders");
      assertThat(orders.checks())
          .filteredOn(check -> !check.passed())
          .extracting(check -> check.check().name(), CheckOutcome::failingRows)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("accepted_values(status)", 1L));
      assertThat(step(result, "customer_orders").status()).isEqualTo(StepStatus.SKIPPED);
    }
  }

  @Test
  void aSourceSluiceCannotReadIsAProblemAtItsLine() {
    write(
        project,
        "models/more.yml",
        """
        version: 2
        sources:
          - name: crm
            tables:
              - name: accounts
              - name: leads
                columns: [{name: id, data_tests: [unique]}]
              - name: contacts
                meta:
                  external_location: "read_csv('crm/contacts.txt', delim='|')"
        """);

    // declared and unused, as dbt accepts it
    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactly(
            "models/more.yml:6: source table 'crm.leads' has no external location: Sluice"
                + " cannot read a table that another tool loads into a DuckDB database, so its data"
                + " tests cannot run",
            "models/more.yml:10: The external location 'read_csv('crm/contacts.txt', delim='|')'"
                + " of source table 'crm.contacts' is not supported");

    write(
        project,
        "models/more.yml",
        "version: 2\nsources:\n  - name: crm\n    tables: [{name: accounts}]\n");
    write(project, "models/accounts.sql", "select *\nfrom {{ source('crm', 'accounts') }}\n");
    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactly(
            "models/accounts.sql:2: Model 'accounts' reads source table 'crm.accounts' has no"
                + " external location: Sluice cannot read a table that another tool loads into a"
                + " DuckDB database (models/more.yml:4)");
  }

  @Test
  void anUnknownSourceGetsADidYouMean() {
    write(project, "models/stg_orders.sql", "select * from {{ source('ecom', 'raw_order') }}\n");

    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message() + " " + problem.hint())
        .singleElement()
        .satisfies(
            text -> assertThat(text).startsWith("models/stg_orders.sql:1").contains("raw_orders"));
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(step -> step.asset().equals(asset)).findFirst().get();
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
