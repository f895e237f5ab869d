package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What calogica/dbt-expectations' tests rely on, in fixtures of our own written as its macros are
 * (a package whose generic tests dispatch to macros that call other tests by name, dates read with
 * {@code run_query}, arguments that are templates): each expected outcome is what dbt test gives on
 * these rows.
 */
class DbtExpectationsPatternsTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(project, "dbt_project.yml", "name: shop\n");
    // the 19th is missing
    write(
        project,
        "models/days.sql",
        "select cast(d as date) as day, s as status from (values ('2021-10-17', 'placed'),"
            + " ('2021-10-18', 'shipped'), ('2021-10-20', 'shipped')) t(d, s)\n");
    write(
        project,
        "models/days_twice.sql",
        "select * from {{ ref('days') }} union all select * from {{ ref('days') }}\n");
    // as dbt_expectations writes its tests: each dispatches to a default__ macro, and one test
    // calls another by its package's name, passing an argument by keyword
    write(project, "dbt_packages/expect/dbt_project.yml", "name: expect\n");
    write(
        project,
        "dbt_packages/expect/macros/row_counts.sql",
        """
        {%- test row_count_equal(model, compare_model, factor=1) -%}
          {{ adapter.dispatch('test_row_count_equal', 'expect')(model, compare_model, factor) }}
        {%- endtest %}
        {%- macro default__test_row_count_equal(model, compare_model, factor) -%}
        {{ expect.test_expression_equal(model, "count(*)",
            compare_model=compare_model,
            compare_expression="count(*) * " + factor|string) }}
        {%- endmacro %}
        {%- test row_count_times_factor(model, compare_model, factor) -%}
          {{ adapter.dispatch('test_row_count_times_factor', 'expect')(model, compare_model,
              factor) }}
        {%- endtest %}
        {%- macro default__test_row_count_times_factor(model, compare_model, factor) -%}
        {{ expect.test_row_count_equal(model, compare_model=compare_model, factor=factor) }}
        {%- endmacro %}
        {%- test expression_equal(model, expression, compare_model, compare_expression) -%}
        select a.v as expression, b.v as compare_expression
        from (select {{ expression }} as v from {{ model }}) a,
          (select {{ compare_expression }} as v from {{ compare_model }}) b
        where a.v != b.v
        {%- endtest %}
        """);
    write(
        project,
        "dbt_packages/expect/macros/every_day.sql",
        """
        {%- test every_day(model, date_col) -%}
        {%- if not execute %}{{ return('') }}{% endif -%}
        {%- set dr = run_query('select min(' ~ date_col ~ ') as start_day, max(' ~ date_col
            ~ ') as end_day, date_diff(\\'day\\', min(' ~ date_col ~ '), max(' ~ date_col
            ~ ')) as span from ' ~ model) -%}
        {%- set start_date = dr.columns[0].values()[0] -%}
        {%- set end_date = dr.columns[1].values()[0] -%}
        {%- if start_date is not string -%}
          {%- set start_date = start_date.strftime('%Y-%m-%d') -%}
          {%- set end_date = end_date.strftime('%Y-%m-%d') -%}
        {%- endif -%}
        with spine as (
          {%- for i in range(dr.columns[2].values()[0] + 1) %}
          select cast('{{ start_date }}' as date) + {{ i }} as day
          {%- if not loop.last %} union all{% endif %}
          {%- endfor %}
        )
        select spine.day, '{{ end_date }}' as end_day from spine
        left join {{ model }} m on m.{{ date_col }} = spine.day
        where m.{{ date_col }} is null
        {%- endtest %}
        """);
    write(
        project,
        "macros/types.sql",
        """
        {% macro shipped() %}{{ return('shipped') }}{% endmacro %}
        {% test in_list(model, column_name, allowed) %}
        select * from {{ model }} where {{ column_name }} not in (
          {%- for a in allowed %}'{{ a }}'{{ ',' if not loop.last }}{% endfor %})
        {% endtest %}
        {% test holds(model, condition, options) %}
        select * from {{ model }} where not ({{ condition }})
          or '{{ options['also'][0] }}' != 'shipped'
        {% endtest %}
        """);
  }

  /**
   * dbt renders every string of a test's arguments, at any depth, as a template with the test's
   * context ({@code column_type_list: [date, "{{ dbt_expectations.type_timestamp() }}"]}, {@code
   * row_condition: cast(d as date) = {{ dbt_date.yesterday() }}}).
   */
  @Test
  void templatesInsideListsDictsAndTextAreRenderedAsDbtRendersThem() {
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: days
            data_tests:
              - holds:
                  name: holds_either
                  condition: "status = '{{ shipped() }}' or day = '{{ '2021-10-17' }}'"
                  options: {also: ["{{ shipped() }}"]}
              - holds:
                  name: holds_shipped
                  condition: "status = '{{ shipped() }}'"
                  options: {also: ["{{ shipped() }}"]}
            columns:
              - name: status
                data_tests:
                  - in_list:
                      allowed: [placed, "{{ shipped() }}"]
        """);

    RunResult result = run();

    // every status is placed or shipped; only the placed row (the 17th) is not shipped
    assertThat(step(result, "days").checks())
        .extracting(check -> check.check().name(), CheckOutcome::failingRows)
        .containsExactlyInAnyOrder(
            Tuple.tuple("in_list(status)", 0L),
            Tuple.tuple("holds_either", 0L),
            Tuple.tuple("holds_shipped", 1L));
  }

  /**
   * As dbt_expectations' expect_row_values_to_have_data_for_every_n_datepart reads the dates of its
   * model: {@code run_query}'s dates are Python's, with {@code strftime}.
   */
  @Test
  void datesReadWithRunQueryArePythonDates() {
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: days
            data_tests:
              - expect.every_day: {date_col: day}
        """);

    RunResult result = run();

    assertThat(step(result, "days").checks())
        .extracting(check -> check.status().name(), CheckOutcome::failingRows)
        .containsExactly(Tuple.tuple("FAILED", 1L));
    assertThat(step(result, "days").checks().get(0).sample().rows())
        .as("the missing day, and the last day as strftime('%Y-%m-%d') prints it")
        .singleElement()
        .satisfies(row -> assertThat(row.toString()).contains("2021-10-19", "2021-10-20"));
  }

  /**
   * As dbt_expectations' expect_table_row_count_to_equal_other_table_times_factor: a test whose
   * dispatched macro calls another test by name with {@code factor=factor}.
   */
  @Test
  void aTestCallingAnotherTestByNameKeepsItsKeywordArguments() {
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: days_twice
            data_tests:
              - expect.row_count_times_factor:
                  compare_model: ref("days")
                  factor: 2
              - expect.row_count_times_factor:
                  compare_model: ref("days")
                  factor: 3
        """);

    RunResult result = run();

    // 6 rows: twice the 3 of days, not three times
    assertThat(step(result, "days_twice").checks())
        .extracting(check -> check.status().name(), CheckOutcome::failingRows)
        .containsExactlyInAnyOrder(Tuple.tuple("PASSED", 0L), Tuple.tuple("FAILED", 1L));
  }

  /** Jinja2's {@code ~} joins Python's {@code str()} of both sides: none is {@code None}. */
  @Test
  void noneJoinsAsNone() {
    write(
        project,
        "models/joined.sql",
        """
        {%- set nothing = none -%}
        select '{{ 'a' ~ none }}|{{ none ~ 'b' }}|{{ 'c' ~ nothing ~ 1 }}' as joined
        """);

    Project loaded = Project.load(project, Map.of());
    ModelDef model = loaded.models().get("joined");
    assertThat(new SqlRenderer().render(model, SqlRenderer.RenderContext.of(loaded, model, false)))
        .contains("'aNone|Noneb|cNone1' as joined");
  }

  private RunResult run() {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(step -> step.asset().equals(asset)).findFirst().get();
  }
}
