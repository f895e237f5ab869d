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

  @Test
  void unitTestsOverrideMacrosAndEnvVarsAndReadSqlAndFixturesOfTheTestPaths() {
    write(project, "dbt_project.yml", "name: shop\ntest-paths: [checks]\n");
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,10\n");
    write(
        project,
        "macros/cents.sql",
        "{% macro to_cents(column) %}({{ column }} * 100){% endmacro %}\n");
    write(
        project,
        "models/stamped.sql",
        """
        select id, {{ to_cents('amount') }} as amount_cents,
          {{ dbt.current_timestamp() }} as loaded_at, {{ current_timestamp() }} as seen_at,
          '{{ env_var('SLUICE_UNIT_REGION', 'eu') }}' as region
        from {{ ref('raw_orders') }}
        """);
    write(project, "checks/fixtures/orders.csv", "id,status,amount\n1,placed,10\n2,lost,3\n");
    write(
        project,
        "checks/fixtures/expected/stamped.sql",
        "select 1 as id, 7 as amount_cents, 'us' as region\n" + "union all select 2, 7, 'us'\n");
    write(
        project,
        "models/stamped.yml",
        """
        version: 2
        unit_tests:
          - name: stamped_overridden
            model: stamped
            overrides:
              macros:
                current_timestamp: "timestamp '2024-01-02 03:04:05'"
                to_cents: "7"
              env_vars: {SLUICE_UNIT_REGION: us}
            given:
              - input: ref('raw_orders')
                format: csv
                fixture: orders
            expect:
              format: sql
              fixture: stamped
          - name: stamped_at
            model: stamped
            overrides:
              macros: {dbt.current_timestamp: "timestamp '2024-01-02 03:04:05'"}
            given:
              - input: ref('raw_orders')
                format: sql
                rows: select 1 as id, 'placed' as status, 10 as amount
            expect:
              rows:
                - {id: 1, amount_cents: 1000, loaded_at: "2024-01-02 03:04:05", region: eu}
          - name: stamped_disabled
            model: stamped
            config: {enabled: false}
            given: []
            expect: {rows: []}
        """);
    Project loaded = Project.load(project, Map.of());

    // a disabled unit test is left out, as dbt leaves it out
    assertThat(loaded.unitTests()).containsOnlyKeys("stamped_overridden", "stamped_at");
    UnitTests.Report report = UnitTests.run(loaded, List.of(), List.of());

    assertThat(report.results())
        .allSatisfy(
            result ->
                assertThat(result.status())
                    .as(result.test().name() + ": " + result.message())
                    .isEqualTo(UnitTests.Status.PASSED));
    // the override of dbt.current_timestamp is dbt's own macro: it replaces the global one too
    UnitTests.Result at =
        report.results().stream()
            .filter(result -> result.test().name().equals("stamped_at"))
            .findFirst()
            .orElseThrow();
    assertThat(at.columns()).contains("loaded_at");
  }

  @Test
  void badUnitTestsAreProblemsAtTheirLines() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,10\n");
    write(project, "models/orders.sql", "select id from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        unit_tests:
          - name: versioned
            model: orders
            versions: {include: [2]}
            given:
              - input: ref('raw_orders')
                rows: [{id: 1}]
            expect: {rows: [{id: 1}]}
          - name: missing_fixture
            model: orders
            given:
              - input: ref('raw_orders')
                format: csv
                fixture: nowhere
            expect: {rows: [{id: 1}]}
          - name: sql_reads_a_table
            model: orders
            given:
              - input: ref('raw_orders')
                format: sql
                rows: |
                  select 1 as id
                  union all select id from main.raw_orders
            expect: {rows: [{id: 1}]}
        """);

    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> Project.load(project, Map.of()), dev.sluice.api.ProjectException.class)
                .problems())
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactlyInAnyOrder(
            "models/orders.yml:5: Unit test 'versioned' should not have a versions include or"
                + " exclude when referencing non-versioned model 'orders'",
            "models/orders.yml:15: The fixture 'nowhere' of the rows given for ref('raw_orders') in"
                + " unit test 'missing_fixture' does not exist");

    write(
        project,
        "models/orders.yml",
        """
        version: 2
        unit_tests:
          - name: sql_reads_a_table
            model: orders
            given:
              - input: ref('raw_orders')
                format: sql
                rows: |
                  select 1 as id
                  union all select id from main.raw_orders
            expect: {rows: [{id: 1}]}
        """);
    Project loaded = Project.load(project, Map.of());
    try (UnitTests.InMemoryEngine engine = UnitTests.InMemoryEngine.start()) {
      UnitTests.Result result =
          UnitTests.runOne(loaded, loaded.unitTests().get("sql_reads_a_table"), engine.engine());
      // dbt build and dbt test report it as the test's error, at the line that reads the table
      assertThat(result.status()).isEqualTo(UnitTests.Status.ERROR);
      assertThat(result.error()).startsWith("models/orders.yml:10: The SQL rows read");
    }
  }

  @Test
  void anIncrementalModelsUnitTestComparesTheRowsItSelectsAsDbtDoes() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_events.csv", "id,ts\n1,1\n");
    write(
        project,
        "models/events.sql",
        """
        {{ config(materialized='incremental', unique_key='id') }}
        select id, ts from {{ ref('raw_events') }}
        {% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}
        """);
    String tests =
        """
        version: 2
        unit_tests:
          - name: only_new_events
            model: events
            overrides:
              macros: {is_incremental: true}
            given:
              - input: ref('raw_events')
                rows: [{id: 1, ts: 1}, {id: 2, ts: 5}, {id: 3, ts: 9}]
              - input: this
                rows: [{id: 1, ts: 1}, {id: 2, ts: 5}]
            expect:
              rows: [{id: 3, ts: 9}]
        """;
    write(project, "models/events.yml", tests);
    Project loaded = Project.load(project, Map.of());

    // dbt compares the rows the model selects with is_incremental() true, not the table after the
    // merge (which would also hold ids 1 and 2)
    assertThat(UnitTests.run(loaded, List.of(), List.of()).results())
        .singleElement()
        .satisfies(result -> assertThat(result.status()).isEqualTo(UnitTests.Status.PASSED));

    // as dbt's parser: a test of a model that calls is_incremental() must override it, and with
    // true give rows for this
    write(
        project, "models/events.yml", tests.replace("macros: {is_incremental: true}", "vars: {}"));
    assertThat(problems())
        .containsExactly(
            "models/events.yml:3: Boolean override for 'is_incremental' must be provided for unit"
                + " test 'only_new_events' in model 'events'");
    write(
        project,
        "models/events.yml",
        tests.replace("      - input: this\n        rows: [{id: 1, ts: 1}, {id: 2, ts: 5}]\n", ""));
    assertThat(problems())
        .containsExactly(
            "models/events.yml:3: Unit test 'only_new_events' for incremental model 'events' must"
                + " have a 'this' input");
  }

  private java.util.List<String> problems() {
    return org.assertj.core.api.Assertions.catchThrowableOfType(
            () -> Project.load(project, Map.of()), dev.sluice.api.ProjectException.class)
        .problems()
        .stream()
        .map(problem -> problem.location() + ": " + problem.message())
        .toList();
  }
}
