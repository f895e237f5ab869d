package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's custom generic tests ({@code {% test %}} blocks in the macro paths, the test paths'
 * generic/ directories and an installed package written as dbt_utils writes its tests) and the test
 * configs that decide a test's outcome, with dbt's semantics: each expected outcome below is what
 * dbt test gives on these rows.
 */
class DbtGenericTestsTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(project, "dbt_project.yml", "name: shop\n");
    // amounts 10, -3, 7, 3; one order lost
    write(
        project,
        "seeds/raw_orders.csv",
        "id,status,amount\n1,placed,10\n2,lost,-3\n3,shipped,7\n4,placed,3\n");
    write(project, "models/orders.sql", "select id, status, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "macros/is_positive.sql",
        "{% test is_positive(model, column_name) %}\n"
            + "select * from {{ model }} where {{ column_name }} <= 0\n"
            + "{% endtest %}\n"
            + "{% macro cents(column) %}({{ column }} * 100){% endmacro %}\n");
    write(
        project,
        "tests/generic/at_least.sql",
        "{% test at_least(model, column_name, minimum=0) %}\n"
            + "select * from {{ model }} where {{ column_name }} < {{ minimum }}\n"
            + "{% endtest %}\n");
    // a package as dbt_utils writes its generic tests: the test dispatches to a macro
    write(project, "dbt_packages/checks_pkg/dbt_project.yml", "name: checks_pkg\n");
    write(
        project,
        "dbt_packages/checks_pkg/macros/generic_tests/not_constant.sql",
        "{% test not_constant(model, column_name, group_by_columns = []) %}\n"
            + "  {{ return(adapter.dispatch('test_not_constant', 'checks_pkg')(model, column_name,"
            + " group_by_columns)) }}\n"
            + "{% endtest %}\n"
            + "{% macro default__test_not_constant(model, column_name, group_by_columns) %}\n"
            + "select count(distinct {{ column_name }}) as distinct_values from {{ model }}\n"
            + "having count(distinct {{ column_name }}) = 1\n"
            + "{% endmacro %}\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            data_tests:
              - at_least:
                  name: amounts_weighed
                  column_name: amount
                  minimum: 100
                  config: {fail_calc: "sum(100 - amount)", error_if: ">1000", warn_if: ">200"}
              - at_least:
                  name: amounts_limited
                  arguments: {column_name: amount, minimum: 100}
                  config: {limit: 2, severity: warn}
            columns:
              - name: amount
                data_tests:
                  - is_positive:
                      config: {severity: warn, store_failures: true}
                  - at_least:
                      name: at_least_5
                      minimum: 5
                      config: {error_if: ">2"}
                  - at_least:
                      name: at_least_1_when_not_lost
                      arguments: {minimum: 1}
                      config: {where: "status <> 'lost'"}
                  - checks_pkg.not_constant
              - name: status
                data_tests:
                  - accepted_values:
                      values: [placed, shipped]
                      config: {where: "status <> 'lost'", store_failures: true}
                  - not_constant
        """);
    // a singular test that calls a project macro, rendered with the macros at run time
    write(
        project,
        "tests/assert_cents_below_a_million.sql",
        "select * from {{ ref('orders') }} where {{ cents('amount') }} >= 1000000\n");
  }

  @Test
  void customGenericTestsAndTestConfigsGiveDbtsOutcomes() {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(step(result, "orders").checks())
          .extracting(
              check -> check.check().name(),
              CheckOutcome::failingRows,
              check -> check.status().name(),
              CheckOutcome::blocks)
          .containsExactlyInAnyOrder(
              // 100-10 + 100+3 + 100-7 + 100-3 = 383: over warn_if, not error_if
              Tuple.tuple("amounts_weighed", 383L, "FAILED", false),
              // four rows fail, two are counted
              Tuple.tuple("amounts_limited", 2L, "FAILED", false),
              Tuple.tuple("is_positive(amount)", 1L, "FAILED", false),
              // -3 and 3: two failures, error_if '>2' not met, warn_if '!= 0' is
              Tuple.tuple("at_least_5", 2L, "FAILED", false),
              Tuple.tuple("at_least_1_when_not_lost", 0L, "PASSED", false),
              Tuple.tuple("checks_pkg.not_constant(amount)", 0L, "PASSED", false),
              Tuple.tuple("accepted_values(status)", 0L, "PASSED", false),
              Tuple.tuple("not_constant(status)", 0L, "PASSED", false),
              Tuple.tuple("assert_cents_below_a_million", 0L, "PASSED", false));
      assertThat(
              step(result, "orders").checks().stream()
                  .filter(check -> check.check().name().equals("at_least_5"))
                  .findFirst()
                  .orElseThrow()
                  .check()
                  .severity())
          .isEqualTo(Severity.WARN);

      // store_failures: the failing rows in <schema>_dbt_test__audit.<dbt's test name>
      QueryService queries = new QueryService(workspace);
      assertThat(
              queries
                  .query(
                      "select id, amount from main_dbt_test__audit.is_positive_orders_amount",
                      ReadPoint.main(),
                      10)
                  .rows())
          .containsExactly(List.of(2L, -3L));
      assertThat(
              queries
                  .query(
                      "select count(*) from"
                          + " main_dbt_test__audit.accepted_values_orders_status__placed__shipped",
                      ReadPoint.main(),
                      10)
                  .rows())
          .containsExactly(List.of(0L));
    }

    // an error-severity generic test that fails keeps the rows from being published
    write(
        project,
        "models/more.yml",
        """
        version: 2
        seeds:
          - name: raw_orders
            columns:
              - name: amount
                data_tests: [is_positive]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).isFalse();
      assertThat(step(result, "raw_orders").checks())
          .filteredOn(CheckOutcome::blocks)
          .extracting(check -> check.check().name(), CheckOutcome::failingRows)
          .containsExactly(Tuple.tuple("is_positive(amount)", 1L));
    }
  }

  @Test
  void badTestsAreProblemsAtTheirLines() {
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: amount
                data_tests:
                  - is_positve
                  - at_least: {minimun: 3}
                  - at_least:
                      minimum: 3
                      config: {error_if: "lots"}
                  - checks_pkg.not_constant:
                      config: {limit: many}
        """);
    write(
        project,
        "tests/generic/broken.sql",
        "{% test broken(model) %}\nselect * from {{ model }\n{% endtest %}\n");

    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactlyInAnyOrder(
            "models/schema.yml:7: Unknown test 'is_positve' of model 'orders' column amount",
            "models/schema.yml:8: Unknown argument 'minimun' of test 'at_least'",
            "models/schema.yml:11: Test config 'error_if' must compare the failures with a"
                + " number, got 'lots'",
            "models/schema.yml:13: Test config 'limit' must be a whole number of rows, got"
                + " 'many'",
            // Jinjava finds the unclosed {{ at the end of the file, and the test never ended
            "tests/generic/broken.sql:1: Template error: Syntax error in '{% test broken(model)"
                + " %}': Missing end tag: endtest for tag defined as: {% test broken(model) %}",
            "tests/generic/broken.sql:3: Template error: Unclosed token");
    assertThat(problems(project))
        .filteredOn(problem -> problem.message().startsWith("Unknown test"))
        .extracting(problem -> problem.hint())
        .allSatisfy(hint -> assertThat(hint).startsWith("did you mean 'is_positive'?"));
    assertThat(problems(project))
        .filteredOn(problem -> problem.message().startsWith("Unknown argument"))
        .extracting(problem -> problem.hint())
        .allSatisfy(hint -> assertThat(hint).contains("did you mean 'minimum'"));
  }

  /**
   * As dbt_expectations' integration tests write their tests: an argument left out is Jinja2's
   * undefined to the macro, as in dbt, one test twice on a column with other arguments is named as
   * dbt names its node, and a severity that is a template is rendered with {@code target}.
   */
  @Test
  void missingArgumentsRepeatedTestsAndTemplatedConfigsAreAsInDbt() {
    write(
        project,
        "tests/generic/between.sql",
        """
        {% test between(model, column_name, low, high) %}
        select * from {{ model }} where {{ column_name }} < {{ low }}
          {%- if high is defined %} or {{ column_name }} > {{ high }}{% endif %}
        {% endtest %}
        """);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: amount
                data_tests:
                  - between: {low: 0}
                  - between:
                      low: 5
                      high: 8
                      config:
                        severity: "{{ 'warn' if target.type in ['duckdb'] else 'error' }}"
        """);

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      // amounts 10, -3, 7, 3: below 0 is -3; outside 5..8 are 10, -3 and 3
      assertThat(step(result, "orders").checks())
          .extracting(
              check -> check.check().name(),
              CheckOutcome::failingRows,
              check -> check.check().severity())
          .containsExactlyInAnyOrder(
              Tuple.tuple("between(amount)", 1L, Severity.ERROR),
              Tuple.tuple("between_orders_amount__8__5", 3L, Severity.WARN),
              Tuple.tuple("assert_cents_below_a_million", 0L, Severity.ERROR));
    }
  }

  /**
   * As dbt-project-evaluator's integration tests give accepted_values its list: {@code values: "{{
   * var('model_types') }}"}, which dbt renders natively, a list.
   */
  @Test
  void acceptedValuesGivenAsATemplateAreTheListItRendersTo() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        vars:
          statuses: [placed, shipped]
        """);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: status
                data_tests:
                  - accepted_values:
                      arguments:
                        values: "{{ var('statuses') }}"
        """);

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      // statuses placed, lost, shipped, placed: 'lost' is not accepted
      assertThat(step(result, "orders").checks())
          .filteredOn(check -> check.check().name().equals("accepted_values(status)"))
          .singleElement()
          .satisfies(check -> assertThat(check.failingRows()).isEqualTo(1L));
    }
  }

  /**
   * As dbt_expectations' table-shape tests read the model they test: its columns and a query of its
   * rows, on the first run too, when the model's new rows are being audited and nothing is
   * published yet (the test reads the new rows, as dbt's tests read the table just built).
   */
  @Test
  void aTestsIntrospectionReadsTheRowsBeingAudited() {
    write(
        project,
        "tests/generic/has_columns.sql",
        """
        {% test has_columns(model, column_list) %}
        {%- set actual = adapter.get_columns_in_relation(model) | map(attribute='name')
              | map('lower') | list -%}
        {%- set counted = run_query('select count(*) as n from ' ~ model) -%}
        select * from (values
          {%- for c in column_list %} ('{{ c }}', {{ c in actual }}){{ ',' if not loop.last }}
          {%- endfor %}) t(name, found)
        where not found or {{ counted.rows[0][0] if execute else 4 }} != 4
        {% endtest %}
        """);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            data_tests:
              - has_columns: {column_list: [id, status, amount, nope]}
        """);

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      // nope is the one column the new rows lack; they are 4
      assertThat(step(result, "orders").checks())
          .filteredOn(check -> check.check().name().startsWith("has_columns"))
          .extracting(check -> check.status().name(), CheckOutcome::failingRows)
          .containsExactly(Tuple.tuple("FAILED", 1L));
    }
  }

  /**
   * As dbt-labs' jaffle-shop tests its orders: dbt_utils' expression_is_true twice on one model,
   * told apart by dbt's node names; written as dbt_utils writes it (should_store_failures(), and a
   * package macro whose default is the target's database).
   */
  @Test
  void twoTestsOfTheWholeTableAreNamedAsDbtNamesTheirNodes() {
    write(
        project,
        "macros/expression_is_true.sql",
        """
        {% test expression_is_true(model, expression, column_name=None) %}
          {{ return(adapter.dispatch('test_expression_is_true', 'shop')(model, expression)) }}
        {% endtest %}
        {% macro default__test_expression_is_true(model, expression) %}
        {% set column_list = '*' if should_store_failures() else "1" %}
        select {{ column_list }} from {{ model }} where not({{ expression }})
        {% endmacro %}
        {% macro relations_in(schema, database=target.database) %}{{ database }}{% endmacro %}
        """);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            data_tests:
              - expression_is_true:
                  expression: "amount > -5"
              - expression_is_true:
                  expression: "amount > 0"
                  config: {severity: warn}
        """);

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(step(result, "orders").checks())
          .extracting(check -> check.check().name(), CheckOutcome::failingRows)
          .contains(
              Tuple.tuple("expression_is_true_orders_amount_5", 0L),
              Tuple.tuple("expression_is_true_orders_amount_0", 1L));
    }
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(step -> step.asset().equals(asset)).findFirst().get();
  }
}
