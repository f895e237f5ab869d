package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.quality.UnitTests;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt 1.8's {@code unit_tests} in a dbt project's properties files run as Sluice's unit tests: the
 * model's SQL (with the project's macros) on the given rows of its refs and sources, in an
 * in-memory engine, compared with the expected rows.
 */
class DbtUnitTestsTest {
  @TempDir Path project;

  @Test
  void unitTestsOfADbtProjectRunOnGivenRowsWithItsMacros() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,10\n");
    write(
        project,
        "macros/cents.sql",
        "{% macro to_cents(column, scale=100) %}({{ column }} * {{ scale }}){% endmacro %}\n");
    write(
        project,
        "models/orders.sql",
        """
        select id, upper(status) as status, {{ to_cents('amount') }} as amount_cents
        from {{ ref('raw_orders') }}
        where status != '{{ var('ignored_status', 'lost') }}'
        """);
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        unit_tests:
          - name: orders_in_cents
            model: orders
            given:
              - input: ref('raw_orders')
                rows:
                  - {id: 1, status: placed, amount: 10}
                  - {id: 2, status: lost, amount: 5}
            expect:
              rows:
                - {id: 1, status: PLACED, amount_cents: 1000}
          - name: orders_vars_overridden
            model: orders
            overrides:
              vars: {ignored_status: placed}
            given:
              - input: ref('raw_orders')
                format: csv
                rows: |
                  id,status,amount
                  1,placed,10
                  2,lost,5
            expect:
              format: csv
              rows: |
                id,status
                2,LOST
          - name: orders_wrong_expectation
            model: orders
            given:
              - input: ref('raw_orders')
                rows:
                  - {id: 1, status: placed, amount: 10}
            expect:
              rows:
                - {id: 1, amount_cents: 10}
        """);
    Project loaded = Project.load(project, Map.of());

    assertThat(loaded.unitTests())
        .containsOnlyKeys("orders_in_cents", "orders_vars_overridden", "orders_wrong_expectation");
    UnitTests.Report report = UnitTests.run(loaded, List.of(), List.of());

    assertThat(report.results())
        .extracting(result -> result.test().name(), UnitTests.Result::status)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("orders_in_cents", UnitTests.Status.PASSED),
            org.assertj.core.groups.Tuple.tuple("orders_vars_overridden", UnitTests.Status.PASSED),
            org.assertj.core.groups.Tuple.tuple(
                "orders_wrong_expectation", UnitTests.Status.FAILED));
    UnitTests.Result failed =
        report.results().stream().filter(result -> !result.passed()).findFirst().get();
    // the diff: the expected row the model did not give, the row it gave instead
    assertThat(failed.columns()).containsExactly("id", "amount_cents");
    assertThat(failed.missing()).containsExactly(List.of(1L, 10L));
    assertThat(failed.unexpected()).hasSize(1);
    assertThat(failed.unexpected().get(0).get(1).toString()).isEqualTo("1000");
  }

  @Test
  void aUnitTestOfAModelTheProjectDoesNotHaveIsAProblemAtItsLine() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/orders.sql", "select 1 as id\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        unit_tests:
          - name: t
            model: order
            given: []
            expect:
              rows: [{id: 1}]
        """);

    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(() -> Project.load(project, Map.of())))
        .hasMessageContaining("models/orders.yml:")
        .hasMessageContaining("order");
  }
}
