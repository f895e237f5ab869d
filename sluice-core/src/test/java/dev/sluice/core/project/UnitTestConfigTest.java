package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ProjectException.Problem;
import dev.sluice.core.project.UnitTestDef.InputKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unit_tests:} of properties files: what they read (dict and CSV rows, fixtures, overrides)
 * and a clear problem at the file and line of each mistake, found when the project loads.
 */
class UnitTestConfigTest {
  @TempDir Path root;

  private void project(String tests) {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    TestProjects.write(root, "seeds/regions.csv", "customer,region\nann,north\n");
    TestProjects.write(root, "models/curated/orders.sql", "select 1 as id, 'ann' as customer\n");
    TestProjects.write(
        root,
        "models/curated/facts.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\n"
            + "select o.id, r.region from {{ ref('orders') }} o\n"
            + "join {{ ref('regions') }} r on r.customer = o.customer\n");
    TestProjects.write(root, "models/curated/tests.yaml", tests);
  }

  @Test
  void readsGivenRowsOverridesAndExpect() {
    TestProjects.write(root, "tests/fixtures/some_regions.csv", "customer,region\nann,north\n");
    project(
        """
        unit_tests:
          - name: facts_join_regions
            model: facts
            description: each order gets its customer's region
            given:
              - input: ref('orders')
                rows: [{id: 1, customer: ann}]
              - input: ref("regions")
                format: csv
                fixture: some_regions
              - input: this
                format: csv
                rows: |
                  id,region
                  7,
            overrides:
              vars: {cutoff: 3}
              macros: {is_incremental: false}
            expect:
              rows: [{id: 1, region: north}]
        """);
    UnitTestDef test = Project.load(root).unitTests().get("facts_join_regions");
    assertThat(test.model()).isEqualTo("facts");
    assertThat(test.given())
        .extracting(g -> g.input().kind())
        .containsExactly(InputKind.REF, InputKind.REF, InputKind.THIS);
    assertThat(test.given().get(1).rows().rows().get(0).location().toString())
        .isEqualTo("tests/fixtures/some_regions.csv:2");
    UnitTestDef.Row thisRow = test.given().get(2).rows().rows().get(0);
    assertThat(thisRow.location().toString()).isEqualTo("models/curated/tests.yaml:15");
    assertThat(thisRow.cells().get("region").value()).isNull();
    assertThat(test.vars()).containsEntry("cutoff", 3);
    assertThat(test.incremental()).isFalse();
    assertThat(test.expect().columns()).containsExactly("id", "region");
  }

  @Test
  void mistakesAreProblemsAtTheirLine() {
    project(
        """
        unit_tests:
          - name: t1
            model: facts
            givne: []
            given:
              - input: ref('order')
                rows: []
              - input: ref('regions')
                rows: []
            expect: {rows: []}
          - name: t2
            model: fact
            given: []
            expect: {rows: []}
          - name: t3
            model: orders
            given:
              - input: this
                rows: []
              - input: source('shop', 'orders')
                rows: []
            expect: {rows: [], fixture: x}
            overrides: {macros: {my_macro: 1}}
        """);
    List<String> problems = TestProjects.problems(root).stream().map(Problem::toString).toList();
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:4: Unknown key"
                            + " 'givne' in a unit test (did you mean 'given'?)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:6: Unit test 't1'"
                            + " gives rows for ref('order'), which is no model or seed (did you mean 'orders'?)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:2: unit test 't1'"
                            + " gives no rows for ref('orders'), which model 'facts' reads"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:11: Unit test 't2'"
                            + " tests model 'fact', which does not exist (did you mean 'facts'?)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:18: Unit test 't3'"
                            + " gives rows for 'this', but model 'orders' is not incremental"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:20: Unit test 't3'"
                            + " gives rows for source('shop', 'orders'), which is no source table"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:22: A fixture of"
                            + " the expect of unit test 't3' must be CSV"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "models/curated/tests.yaml:23: Unknown macro"
                            + " 'my_macro' in the overrides of unit test 't3'"));
  }
}
