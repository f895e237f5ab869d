package dev.sluice.core.project;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dbt project runs under Sluice: seeds, views and tables in dbt's order, its data tests as
 * Sluice's checks before publishing, and the rows dbt-duckdb builds from the same files.
 */
class DbtRunTest {
  @TempDir Path project;

  @Test
  void jaffleShopBuildsTheRowsDbtBuildsAndPassesItsTests() {
    DbtProjectTest.copyFixture("jaffle_shop", project);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(result.steps())
          .extracting(StepResult::asset)
          .containsExactlyInAnyOrder(
              "raw_customers",
              "raw_orders",
              "raw_payments",
              "stg_customers",
              "stg_orders",
              "stg_payments",
              "customers",
              "orders");
      List<CheckOutcome> checks =
          result.steps().stream().flatMap(step -> step.checks().stream()).toList();
      // jaffle_shop's 20 data tests on models; checks of views run when their tables are read
      assertThat(checks).isNotEmpty().allSatisfy(check -> assertThat(check.passed()).isTrue());

      QueryService queries = new QueryService(workspace);
      // what dbt-duckdb builds from these seeds (worked out by hand from the fixture's rows)
      assertThat(
              rows(
                  queries,
                  "select customer_id, first_name, first_order, most_recent_order,"
                      + " number_of_orders, customer_lifetime_value"
                      + " from main.customers order by customer_id"))
          .containsExactly(
              List.of("1", "Michael", "2018-01-01", "2018-01-07", "3", "28.0"),
              List.of("2", "Shawn", "2018-01-05", "2018-01-05", "1", "25.0"),
              List.of("3", "Kathleen", "2018-01-02", "2018-01-05", "2", "37.0"),
              List.of("4", "Jimmy", "null", "null", "null", "null"));
      assertThat(
              rows(
                  queries,
                  "select order_id, status, credit_card_amount, coupon_amount,"
                      + " bank_transfer_amount, gift_card_amount, amount"
                      + " from main.orders order by order_id"))
          .containsExactly(
              List.of("1", "returned", "10.0", "0.0", "0.0", "0.0", "10.0"),
              List.of("2", "completed", "20.0", "0.0", "0.0", "0.0", "20.0"),
              List.of("3", "completed", "9.0", "1.0", "0.0", "0.0", "10.0"),
              List.of("4", "placed", "0.0", "0.0", "25.0", "0.0", "25.0"),
              List.of("5", "shipped", "0.0", "0.0", "0.0", "17.0", "17.0"),
              List.of("6", "return_pending", "8.0", "0.0", "0.0", "0.0", "8.0"));
      assertThat(rows(queries, "select count(*) from main.stg_payments"))
          .containsExactly(List.of("7"));
    }
  }

  @Test
  void aFailingDataTestStopsPublishingAndAWarningOneDoesNot() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n2,lost\n2,shipped\n");
    write(project, "models/orders.sql", "select id, status from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: id
                data_tests:
                  - unique:
                      config:
                        severity: warn
              - name: status
                data_tests:
                  - accepted_values:
                      arguments:
                        values: [placed, shipped]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).isFalse();
      StepResult orders =
          result.steps().stream().filter(step -> step.asset().equals("orders")).findFirst().get();
      assertThat(orders.checks())
          .extracting(
              check -> check.check().name(), CheckOutcome::failingRows, CheckOutcome::blocks)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("unique(id)", 1L, false),
              org.assertj.core.groups.Tuple.tuple("accepted_values(status)", 1L, true));
      // the failing test kept the new rows from being published
      assertThat(
              workspace
                  .lake()
                  .findTable(new dev.sluice.api.TableName("main", "orders"))
                  .map(org.apache.iceberg.Table::currentSnapshot))
          .isEmpty();
    }
  }

  @Test
  void tablesAreNamedAsDbtNamesThemAndQueriedByThoseNames() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            staging:
              +schema: staging
              +materialized: view
        seeds:
          shop:
            +schema: seeds
        """);
    write(
        project,
        "profiles.yml",
        """
        shop:
          target: dev
          outputs:
            dev: {type: duckdb, path: shop.duckdb, schema: analytics}
        """);
    write(
        project,
        "seeds/raw_orders.csv",
        "id,status,amount\n1,placed,10\n2,shipped,2.5\n3,lost,4\n");
    write(
        project,
        "models/staging/stg_orders.sql",
        "select id as order_id, status, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/revenue.sql",
        "{{ config(alias='revenue_by_status') }}\n"
            + "select status, sum(amount) as amount from {{ ref('stg_orders') }} group by status\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();

      // dbt-duckdb builds analytics_seeds.raw_orders, the view analytics_staging.stg_orders and
      // analytics.revenue_by_status: the same names hold the same rows here
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select status, amount from analytics.revenue_by_status order by 1"))
          .containsExactly(
              List.of("lost", "4.0"), List.of("placed", "10.0"), List.of("shipped", "2.5"));
      assertThat(rows(queries, "select count(*) from analytics_staging.stg_orders"))
          .containsExactly(List.of("3"));
      assertThat(rows(queries, "select count(*) from analytics_seeds.raw_orders"))
          .containsExactly(List.of("3"));
      assertThat(workspace.lake().listTables())
          .extracting(Object::toString)
          .contains(
              "analytics.revenue_by_status",
              "analytics_seeds.raw_orders",
              "analytics_staging.stg_orders");
    }
  }

  @Test
  void dbtsCrossDatabaseMacrosGiveDbtDuckdbsValues() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "seeds/events.csv",
        "id,happened_at,label,amount\n1,2024-03-15 10:30:00,a'b,12.5\n2,2024-02-29 23:00:00,x,oops\n");
    write(
        project,
        "macros/cents.sql",
        """
        {% macro amount_or_null(column) -%}
          {{ return(dbt.safe_cast(column, api_type())) }}
        {%- endmacro %}
        {% macro api_type(kind=none) -%}
          {{ return('double' if kind is none else kind) }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/event_facts.sql",
        """
        select
          id,
          cast({{ dbt.date_trunc('month', 'happened_at') }} as date) as month,
          cast({{ dbt.dateadd('day', 1, 'happened_at') }} as date) as next_day,
          {{ dbt.datediff("'2024-01-01'", 'happened_at', 'day') }} as days_since_new_year,
          {{ amount_or_null('amount') }} as amount,
          {{ dbt.concat(['label', "'-'", 'cast(id as varchar)']) }} as tag,
          {{ dbt.hash('label') }} = md5(label) as hashed,
          cast({{ dbt.last_day('happened_at', 'month') }} as varchar) as month_end,
          {{ dbt.split_part("'a,b,c'", "','", 2) }} as second,
          '{{ dbt.escape_single_quotes("it's") }}' as escaped,
          cast(id as {{ dbt.type_string() }}) as id_text,
          {{ dbt.current_timestamp() }} is not null as has_now
        from {{ ref('events') }}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(
              rows(
                  new QueryService(workspace),
                  "select id, month, next_day, days_since_new_year, amount, tag, hashed,"
                      + " month_end, second, escaped, id_text, has_now"
                      + " from main.event_facts order by id"))
          .containsExactly(
              List.of(
                  "1",
                  "2024-03-01",
                  "2024-03-16",
                  "74",
                  "12.5",
                  "a'b-1",
                  "true",
                  "2024-03-31",
                  "b",
                  "it's",
                  "1",
                  "true"),
              List.of(
                  "2",
                  "2024-02-01",
                  "2024-03-01",
                  "59",
                  "null",
                  "x-2",
                  "true",
                  "2024-02-29",
                  "b",
                  "it's",
                  "2",
                  "true"));
    }
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
