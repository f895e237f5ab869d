package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.ModelCompiler;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's introspective Jinja ({@code run_query}, {@code statement} and {@code load_result}, {@code
 * adapter.get_columns_in_relation}, {@code adapter.get_relation}, {@code api.Relation}) reads the
 * project's Iceberg tables at run time, so that macros written like dbt_utils' {@code
 * get_column_values}, {@code star}, {@code pivot} and {@code union_relations} (a vendored package
 * of the fixture) build what they build on dbt-duckdb; while the project is loaded they see {@code
 * execute} false, as in dbt's parse.
 */
class DbtIntrospectionTest {
  @TempDir Path project;

  @Test
  void dbtUtilsStyleMacrosQueryTheTablesAtRunTime() {
    DbtProjectTest.copyFixture("introspective", project);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      QueryService queries = new QueryService(workspace);
      // get_column_values (a statement block and load_result) found the methods, pivot made a
      // column of each
      assertThat(
              rows(
                  queries,
                  "select order_id, bank_transfer_count, coupon_count, credit_card_count,"
                      + " gift_card_count, payments from main.payments_by_order order by order_id"))
          .containsExactly(
              List.of("1", "0", "0", "1", "0", "1"),
              List.of("2", "0", "0", "1", "0", "1"),
              List.of("3", "0", "1", "1", "0", "2"),
              List.of("4", "1", "0", "0", "0", "1"),
              List.of("5", "0", "0", "0", "1", "1"));
      // star read the columns of the seed's table; run_query its row count
      assertThat(rows(queries, "select * from main.payments_narrow order by p_id limit 1"))
          .containsExactly(List.of("1", "1", "6"));
      assertThat(queries.query("select * from main.payments_narrow", ReadPoint.main(), 1).columns())
          .containsExactly("p_id", "p_order_id", "payments_in_total");
      // union_relations: the superset of the columns, each relation's missing ones null
      assertThat(
              rows(
                  queries,
                  "select _dbt_source_relation, id, status, amount, country from main.all_orders"
                      + " order by id"))
          .containsExactly(
              List.of("\"main\".\"orders_eu\"", "1", "placed", "10", "null"),
              List.of("\"main\".\"orders_eu\"", "2", "shipped", "20", "null"),
              List.of("\"main\".\"orders_us\"", "3", "placed", "null", "US"));
    }
  }

  @Test
  void validateCompilesAnIntrospectiveModelOnceWhatItReadsIsBuilt() {
    DbtProjectTest.copyFixture("introspective", project);
    try (Workspace workspace = Workspace.open(project)) {
      // nothing built yet: get_column_values finds no table, so the pivot has no columns; the
      // model is not compiled yet rather than a syntax error
      ModelCompiler.Result before =
          ModelCompiler.compile(workspace.project(), workspace.lake(), workspace.engine());
      assertThat(before.notBound())
          .containsEntry("payments_by_order", new TableName("main", "raw_payments"));

      new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      ModelCompiler.Result after =
          ModelCompiler.compile(workspace.project(), workspace.lake(), workspace.engine());

      assertThat(after.notBound()).isEmpty();
      assertThat(after.compiled()).isEqualTo(3);
    }
  }

  @Test
  void whileTheProjectLoadsExecuteIsFalseAndNothingIsQueried() {
    DbtProjectTest.copyFixture("introspective", project);
    Project loaded = Project.load(project, Map.of());
    ModelDef narrow = loaded.models().get("payments_narrow");

    // no engine: dbt's parse, where star() gives '*' and run_query() none
    String sql =
        new SqlRenderer().render(narrow, SqlRenderer.RenderContext.of(loaded, narrow, false));

    assertThat(sql).contains("select *,").contains("0 as payments_in_total");
    assertThat(loaded.models().get("payments_by_order").refs()).containsExactly("raw_payments");
  }

  @Test
  void aFailingQueryNamesTheMacroItsFileAndLine() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n");
    write(
        project,
        "macros/lookups.sql",
        """
        {% macro statuses(relation) -%}
          {%- if execute -%}
            {%- set found = run_query('select no_such_column from ' ~ relation) -%}
          {%- endif -%}
          {{ return([]) }}
        {%- endmacro %}

        {% macro through_statement() -%}
          {% call statement('broken', fetch_result=true) %}
            select * from main.no_such_table
          {% endcall %}
        {%- endmacro %}
        """);
    write(
        project,
        "models/orders.sql",
        "{% set s = statuses(ref('raw_orders')) %}\nselect * from {{ ref('raw_orders') }}\n");
    write(project, "models/other.sql", "select 1 as one\n{{ through_statement() }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(step(result, "orders").status()).isEqualTo(StepStatus.FAILED);
      assertThat(step(result, "orders").error())
          .contains("macros/lookups.sql:3")
          .contains("run_query")
          .contains("no_such_column")
          .contains("macro 'statuses', rendering models/orders.sql");
      assertThat(step(result, "other").error())
          .contains("macros/lookups.sql:9")
          .contains("no_such_table")
          .contains("macro 'through_statement', rendering models/other.sql");
    }
  }

  @Test
  void relationsHaveDbtsAttributesApiRelationCreatesOneAndGraphListsTheNodes() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n");
    write(
        project,
        "models/orders.sql",
        """
        {%- set made = api.Relation.create(schema='main', identifier='raw_orders') -%}
        {%- set found = adapter.get_relation(database=this.database, schema='main', identifier='raw_orders') -%}
        {%- set missing = adapter.get_relation(database=this.database, schema='main', identifier='nope') -%}
        select '{{ ref('raw_orders').schema }}.{{ ref('raw_orders').identifier }}' as ref_name,
          '{{ this.name }}' as this_name,
          '{{ made }}' as made,
          '{{ 'none' if found is none else found.identifier }}' as found,
          '{{ 'none' if missing is none else 'found' }}' as missing,
          '{{ (adapter.get_columns_in_relation(made) | map(attribute='data_type') | list) | join('/') }}' as types,
          '{{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed') | map(attribute='name') | join(',') }}' as seeds
        from {{ ref('raw_orders') }}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(step(result, "orders").status())
          .as(step(result, "orders").error())
          .isEqualTo(StepStatus.SUCCEEDED);
      assertThat(
              rows(
                  new QueryService(workspace),
                  "select ref_name, this_name, made, found, missing, types, seeds from main.orders"))
          .containsExactly(
              List.of(
                  "main.raw_orders",
                  "orders",
                  "\"main\".\"raw_orders\"",
                  "raw_orders",
                  "none",
                  "BIGINT/VARCHAR",
                  "raw_orders"));
    }
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
