package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dbt's materializations as dbt-duckdb builds them: the default view, ephemeral models. */
class DbtMaterializationsTest {
  @TempDir Path project;

  @Test
  void aModelWithoutMaterializedIsAViewAsInDbt() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            marts:
              +materialized: table
        """);
    write(project, "seeds/raw_orders.csv", "id,amount\n1,10\n2,20\n");
    write(project, "models/stg_orders.sql", "select id, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/marts/totals.sql",
        "select sum(amount) as total from {{ ref('stg_orders') }}\n");
    Project loaded = Project.load(project, Map.of());
    assertThat(loaded.models().get("stg_orders").materialization()).isEqualTo(Materialization.VIEW);
    assertThat(loaded.models().get("totals").materialization()).isEqualTo(Materialization.TABLE);

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(workspace.lake().findView(new TableName("main", "stg_orders"))).isPresent();
      assertThat(workspace.lake().findTable(new TableName("main", "stg_orders"))).isEmpty();
      assertThat(workspace.lake().findTable(new TableName("main", "totals"))).isPresent();
      assertThat(rows(new QueryService(workspace), "select total from main.totals"))
          .containsExactly(List.of("30"));
    }
  }

  @Test
  void ephemeralModelsAreInlinedAsDbtsCtesAndNeverBuilt() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            +materialized: table
            intermediate:
              +materialized: ephemeral
        """);
    write(project, "seeds/raw_payments.csv", "id,order_id,amount\n1,1,10\n2,1,5\n3,2,7\n");
    write(
        project,
        "models/intermediate/paid.sql",
        "select order_id, amount from {{ ref('raw_payments') }} where amount > 6\n");
    write(
        project,
        "models/intermediate/order_totals.sql",
        "-- per order\n"
            + "select order_id, sum(amount) as total\nfrom {{ ref('paid') }}\ngroup by order_id\n");
    write(
        project,
        "models/orders.sql",
        """
        with totals as (
            select * from {{ ref('order_totals') }}
        )
        select t.order_id, t.total, (select count(*) from {{ ref('paid') }}) as paid_rows
        from totals t
        """);
    write(
        project,
        "models/big.sql",
        "{{ config(materialized='view') }}\nselect * from {{ ref('paid') }} where amount > 9\n");

    Project loaded = Project.load(project, Map.of());
    ModelDef orders = loaded.models().get("orders");
    String sql =
        new SqlRenderer().render(orders, SqlRenderer.RenderContext.of(loaded, orders, false));
    // dbt's compiled SQL: the nested ephemeral model first, each once, inside the model's own with
    assertThat(sql)
        .startsWith("with __dbt__cte__paid as (\nselect order_id, amount from ")
        .contains(
            "where amount > 6\n),  __dbt__cte__order_totals as (\n-- per order\n"
                + "select order_id, sum(amount) as total\nfrom __dbt__cte__paid\ngroup by"
                + " order_id\n),  totals as (\n    select * from __dbt__cte__order_totals\n)")
        .contains("(select count(*) from __dbt__cte__paid) as paid_rows");
    ModelDef big = loaded.models().get("big");
    assertThat(new SqlRenderer().render(big, SqlRenderer.RenderContext.of(loaded, big, false)))
        .startsWith("\nwith __dbt__cte__paid as (\nselect order_id, amount from ")
        .contains("where amount > 6\n) select * from __dbt__cte__paid where amount > 9");
    // ephemeral models stay nodes of the graph: selection and the manifest see them
    assertThat(new Selector(loaded).select(List.of("+orders"), List.of()))
        .containsExactlyInAnyOrder("raw_payments", "paid", "order_totals", "orders");
    JsonNode manifest = new DbtArtifacts(loaded).manifest("run", Instant.now());
    JsonNode paid = manifest.get("nodes").get("model.shop.paid");
    assertThat(paid.get("config").get("materialized").asText()).isEqualTo("ephemeral");
    assertThat(paid.get("relation_name").isNull()).isTrue();
    assertThat(manifest.get("nodes").get("model.shop.orders").get("depends_on").get("nodes"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("model.shop.order_totals", "model.shop.paid");

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      // ephemeral models are no steps and no tables, as in dbt's run results and database
      assertThat(result.steps())
          .extracting(StepResult::asset)
          .containsExactlyInAnyOrder("raw_payments", "orders", "big");
      assertThat(workspace.lake().listTables())
          .extracting(Object::toString)
          .doesNotContain("main.paid", "main.order_totals");
      // the rows dbt-duckdb builds: payments over 6 are 10 (order 1) and 7 (order 2)
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select order_id, total, paid_rows from main.orders order by 1"))
          .containsExactly(List.of("1", "10", "2"), List.of("2", "7", "2"));
      assertThat(rows(queries, "select order_id, amount from main.big"))
          .containsExactly(List.of("1", "10"));
    }
  }

  @Test
  void theDataTestsOfAnEphemeralModelRunOnItsSqlAsDbtInlinesIt() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            +materialized: ephemeral
            marts:
              +materialized: table
        """);
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n2,shipped\n2,shipped\n");
    write(project, "models/base.sql", "select id, status from {{ ref('raw_orders') }}\n");
    // an ephemeral model reading an ephemeral model: both inlined into the test's query
    write(project, "models/stg.sql", "select id, status from {{ ref('base') }}\n");
    // one that reads nothing Sluice builds: its tests run before the first step
    write(project, "models/lone.sql", "select 1 as id\n");
    write(project, "models/marts/orders.sql", "select * from {{ ref('stg') }}\n");
    write(project, "models/marts/counts.sql", "select count(*) as n from {{ ref('lone') }}\n");
    write(
        project,
        "models/eph.yml",
        """
        version: 2
        models:
          - name: stg
            columns:
              - name: id
                data_tests: [not_null, unique]
              - name: status
                data_tests:
                  - accepted_values:
                      arguments:
                        values: [placed, shipped]
          - name: lone
            columns:
              - name: id
                data_tests: [not_null]
        """);
    Project.load(project, Map.of()); // no problem: it loads

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).isFalse(); // stg's id is not unique, as dbt finds it
      Map<String, String> outcomes = new java.util.TreeMap<>();
      for (StepResult step : result.steps()) {
        step.checks()
            .forEach(
                check ->
                    outcomes.put(
                        step.asset() + " " + check.check().name(),
                        check.status().name().toLowerCase(java.util.Locale.ROOT)));
      }
      assertThat(outcomes)
          .containsEntry("stg not_null(id)", "passed")
          .containsEntry("stg unique(id)", "failed")
          .containsEntry("stg accepted_values(status)", "passed")
          .containsEntry("lone not_null(id)", "passed");
      // the failing test skips what reads stg, as dbt build skips it; counts is built
      assertThat(
              result.steps().stream()
                  .filter(step -> step.asset().equals("orders"))
                  .map(step -> step.status().name())
                  .toList())
          .containsExactly("SKIPPED");
      assertThat(workspace.lake().findTable(new TableName("main", "counts"))).isPresent();
      assertThat(workspace.lake().findTable(new TableName("main", "stg"))).isEmpty();
      assertThat(workspace.lake().findView(new TableName("main", "stg"))).isEmpty();
    }
  }

  @Test
  void insertOverwriteIsAProblemAsInDbtDuckdb() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "models/m.sql",
        "{{ config(materialized='incremental', incremental_strategy='insert_overwrite') }}\n"
            + "select 1 as id\n");

    assertThat(problems(project))
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.location()).hasToString("models/m.sql:1");
              assertThat(problem.message())
                  .isEqualTo(
                      "incremental_strategy 'insert_overwrite' of model 'm' is not one of"
                          + " dbt-duckdb's strategies");
              assertThat(problem.hint()).contains("dbt-duckdb refuses it too");
            });
  }

  static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
