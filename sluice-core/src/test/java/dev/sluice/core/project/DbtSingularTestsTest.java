package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
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
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's singular tests (tests/*.sql, queries whose rows are failures) run as checks of the model or
 * seed they read, with their severity, as dbt test runs them.
 */
class DbtSingularTestsTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,10\n2,lost,-3\n3,shipped,7\n");
    write(project, "models/orders.sql", "select id, status, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "tests/assert_no_lost_orders.sql",
        "{{ config(severity='warn') }}\nselect * from {{ ref('orders') }} where status = 'lost'\n");
    write(
        project,
        "tests/amounts/assert_amounts_below_100.sql",
        "select * from {{ ref('orders') }}\nwhere amount >= 100\n");
    write(
        project,
        "tests/assert_seed_ids_positive.sql",
        "select * from {{ ref('raw_orders') }} where id <= 0\n");
    // generic tests live in tests/generic: not singular tests
    write(
        project,
        "tests/generic/is_even.sql",
        "{% test is_even(model, column_name) %}select * from {{ model }} where {{ column_name }} % 2"
            + " = 1{% endtest %}\n");
  }

  @Test
  void singularTestsAreChecksOfWhatTheyReadWithTheirSeverity() {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(step(result, "orders").checks())
          .extracting(
              check -> check.check().name(), CheckOutcome::failingRows, CheckOutcome::blocks)
          .containsExactlyInAnyOrder(
              Tuple.tuple("assert_amounts_below_100", 0L, false),
              Tuple.tuple("assert_no_lost_orders", 1L, false));
      assertThat(step(result, "raw_orders").checks())
          .extracting(check -> check.check().name(), CheckOutcome::passed)
          .containsExactly(Tuple.tuple("assert_seed_ids_positive", true));
    }

    // an error-severity singular test that fails keeps the new rows from being published
    write(
        project,
        "tests/assert_amounts_positive.sql",
        "select * from {{ ref('orders') }} where amount < 0\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).isFalse();
      assertThat(step(result, "orders").checks())
          .filteredOn(CheckOutcome::blocks)
          .extracting(check -> check.check().name(), CheckOutcome::failingRows)
          .containsExactly(Tuple.tuple("assert_amounts_positive", 1L));
    }
  }

  @Test
  void aSingularTestOfSeveralModelsIsAProblemAtItsLine() {
    write(project, "models/statuses.sql", "select distinct status from {{ ref('orders') }}\n");
    write(
        project,
        "tests/assert_statuses_known.sql",
        "select * from {{ ref('orders') }}\nwhere status not in (select status from {{"
            + " ref('statuses') }})\n");

    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactly(
            "tests/assert_statuses_known.sql:2: Singular test 'assert_statuses_known' reads more"
                + " than one model or seed, or a source: Sluice runs a singular test as a check of"
                + " the one model or seed it reads");
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(step -> step.asset().equals(asset)).findFirst().get();
  }
}
