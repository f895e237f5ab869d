package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Workspace;
import dev.sluice.core.quality.UnitTests;
import dev.sluice.core.run.DbtRunResults;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt 1.8's unit tests as dbt runs them: {@code build} runs a model's unit tests before the model
 * and skips it and what reads it when one does not pass; {@code test} runs them with the data tests
 * ({@code test_type:unit} selects or excludes them); the manifest lists them and run_results.json
 * gives each one's outcome, a failure's diff as its message, in dbt's published schemas.
 */
class DbtUnitTestsBuildTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  @Test
  void givenRowsGetTheColumnsTheyLeaveOutFromTheBuiltRelationAsNulls() throws IOException {
    // dbt fills an input's columns the rows do not name from the relation's own columns (as
    // dbt-labs' jaffle-shop's test_supply_costs_sum_correctly relies on: stg_orders given only
    // order_id while order_items reads ordered_at)
    write(project, "dbt_project.yml", "name: shop\nmodels:\n  shop:\n    +materialized: view\n");
    write(project, "seeds/raw_orders.csv", "id,status,placed_at\n1,placed,2024-01-02\n");
    write(
        project,
        "models/stg_orders.sql",
        "select id, status, cast(placed_at as date) as placed_at from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/dated.sql",
        "{{ config(materialized='table') }}\n"
            + "select o.id, o.placed_at is null as undated, o.status\n"
            + "from {{ ref('stg_orders') }} as o\n");
    write(
        project,
        "models/dated.yml",
        """
        version: 2
        unit_tests:
          - name: dated_without_dates
            model: dated
            given:
              - input: ref('stg_orders')
                rows: [{id: 1}]
            expect:
              rows: [{id: 1, undated: true, status: null}]
        """);

    RunResult build;
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "build")))) {
      build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }

    assertThat(build.unitTests())
        .extracting(
            result -> result.test().name(), UnitTests.Result::status, UnitTests.Result::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "dated_without_dates", UnitTests.Status.PASSED, null));
    assertThat(statuses(build)).containsEntry("dated", StepStatus.SUCCEEDED);
    assertThat(build.succeeded()).isTrue();
  }

  @Test
  void buildRunsUnitTestsBeforeTheirModelAndSkipsItAndItsDownstreamWhenOneFails()
      throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,10\n2,lost,5\n");
    write(
        project,
        "models/orders.sql",
        "select id, upper(status) as status, amount * 100 as amount_cents\n"
            + "from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/order_totals.sql",
        "select sum(amount_cents) as total from {{ ref('orders') }}\n");
    write(project, "models/statuses.sql", "select distinct status from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        models:
          - name: statuses
            columns:
              - name: status
                data_tests: [not_null]
        unit_tests:
          - name: orders_in_cents
            model: orders
            config: {tags: [fast]}
            given:
              - input: ref('raw_orders')
                rows: [{id: 1, status: placed, amount: 10}]
            expect:
              rows: [{id: 1, amount_cents: 1000}]
          - name: orders_wrong_cents
            model: orders
            given:
              - input: ref('raw_orders')
                rows: [{id: 1, status: placed, amount: 10}]
            expect:
              rows: [{id: 1, amount_cents: 10}]
          - name: statuses_distinct
            model: statuses
            given:
              - input: ref('raw_orders')
                format: sql
                rows: |
                  select 1 as id, 'placed' as status, 10 as amount
                  union all select 2, 'placed', 5
            expect:
              rows: [{status: placed}]
        """);

    RunResult build;
    Project built;
    Instant finished;
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "build")))) {
      build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      finished = Instant.now();
      built = workspace.project();
      DbtRunResults.write(built, build, "build", finished);
    }

    assertThat(statuses(build))
        .containsEntry("raw_orders", StepStatus.SUCCEEDED)
        .containsEntry("statuses", StepStatus.SUCCEEDED)
        // the model whose unit test failed, and what reads it, are skipped, as in dbt build
        .containsEntry("orders", StepStatus.SKIPPED)
        .containsEntry("order_totals", StepStatus.SKIPPED);
    assertThat(build.succeeded()).isFalse();
    assertThat(step(build, "orders").error())
        .isEqualTo("skipped: unit test 'orders_wrong_cents' failed");
    assertThat(build.unitTests())
        .extracting(result -> result.test().name(), UnitTests.Result::status)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("orders_in_cents", UnitTests.Status.PASSED),
            org.assertj.core.groups.Tuple.tuple("orders_wrong_cents", UnitTests.Status.FAILED),
            org.assertj.core.groups.Tuple.tuple("statuses_distinct", UnitTests.Status.PASSED));

    Path target = project.resolve("target");
    JsonNode manifest = JSON.readTree(target.resolve("manifest.json").toFile());
    JsonNode runResults = JSON.readTree(target.resolve("run_results.json").toFile());
    JsonNode unitTest = manifest.get("unit_tests").get("unit_test.shop.orders.orders_in_cents");
    assertThat(unitTest.get("resource_type").asText()).isEqualTo("unit_test");
    assertThat(unitTest.get("fqn"))
        .extracting(JsonNode::asText)
        .containsExactly("shop", "orders", "orders_in_cents");
    assertThat(unitTest.get("depends_on").get("nodes"))
        .extracting(JsonNode::asText)
        .containsExactly("model.shop.orders");
    assertThat(unitTest.get("config").get("tags"))
        .extracting(JsonNode::asText)
        .containsExactly("fast");
    assertThat(unitTest.get("given").get(0).get("input").asText()).isEqualTo("ref('raw_orders')");
    assertThat(unitTest.get("given").get(0).get("rows").get(0).get("amount").asInt()).isEqualTo(10);
    assertThat(
            manifest
                .get("unit_tests")
                .get("unit_test.shop.statuses.statuses_distinct")
                .get("given")
                .get(0)
                .get("format")
                .asText())
        .isEqualTo("sql");
    assertThat(manifest.get("parent_map").get("unit_test.shop.orders.orders_in_cents"))
        .extracting(JsonNode::asText)
        .containsExactly("model.shop.orders");
    assertThat(manifest.get("child_map").get("model.shop.orders"))
        .extracting(JsonNode::asText)
        .contains(
            "unit_test.shop.orders.orders_in_cents", "unit_test.shop.orders.orders_wrong_cents");

    Map<String, JsonNode> results = new LinkedHashMap<>();
    runResults.get("results").forEach(node -> results.put(node.get("unique_id").asText(), node));
    assertThat(results.get("unit_test.shop.orders.orders_in_cents").get("status").asText())
        .isEqualTo("pass");
    JsonNode failed = results.get("unit_test.shop.orders.orders_wrong_cents");
    assertThat(failed.get("status").asText()).isEqualTo("fail");
    assertThat(failed.get("failures").asInt()).isEqualTo(1);
    // dbt's message: the diff, the expected row the model did not give and the one it gave
    assertThat(failed.get("message").asText())
        .contains("actual differs from expected:")
        .contains("@@ ,id,amount_cents\n")
        .contains("---,1 ,10\n")
        .contains("+++,1 ,1000\n");
    assertThat(results.get("model.shop.orders").get("status").asText()).isEqualTo("skipped");
    assertThat(results.get("model.shop.statuses").get("status").asText()).isEqualTo("success");

    // dbt test: the unit tests and the data tests; test_type:unit selects or excludes the former
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "test")))) {
      Runner runner = new Runner(workspace);
      RunResult all = runner.test(RunOptions.all(), RunListener.NONE);
      assertThat(all.unitTests()).hasSize(3);
      assertThat(all.steps()).extracting(StepResult::asset).contains("statuses");
      assertThat(all.succeeded()).isFalse(); // orders_wrong_cents

      RunResult unitOnly =
          runner.test(
              new RunOptions(List.of("test_type:unit"), List.of(), false), RunListener.NONE);
      assertThat(unitOnly.steps()).isEmpty();
      assertThat(unitOnly.unitTests()).hasSize(3);

      RunResult dataOnly =
          runner.test(
              new RunOptions(List.of(), List.of("test_type:unit"), false), RunListener.NONE);
      assertThat(dataOnly.unitTests()).isEmpty();
      assertThat(dataOnly.steps()).extracting(StepResult::asset).contains("statuses", "orders");

      RunResult ofStatuses =
          runner.test(new RunOptions(List.of("statuses"), List.of(), false), RunListener.NONE);
      assertThat(ofStatuses.unitTests())
          .extracting(result -> result.test().name())
          .containsExactly("statuses_distinct");
      assertThat(ofStatuses.succeeded()).isTrue();
      DbtRunResults.write(workspace.project(), all, "test", Instant.now());
    }
    JsonNode testResults = JSON.readTree(target.resolve("run_results.json").toFile());
    List<String> ids = new java.util.ArrayList<>();
    testResults.get("results").forEach(node -> ids.add(node.get("unique_id").asText()));
    assertThat(ids)
        .contains(
            "unit_test.shop.orders.orders_in_cents", "unit_test.shop.statuses.statuses_distinct")
        .noneMatch(id -> id.startsWith("model."));

    // dbt run runs no unit tests: the model is built
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "run")))) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.unitTests()).isEmpty();
      assertThat(statuses(run)).containsEntry("orders", StepStatus.SUCCEEDED);
      // build --exclude test_type:unit builds every model, without unit tests
    }
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "build")))) {
      RunResult excluded =
          new Runner(workspace)
              .run(
                  new RunOptions(List.of("orders"), List.of("test_type:unit"), false),
                  RunListener.NONE);
      assertThat(excluded.unitTests()).isEmpty();
      assertThat(statuses(excluded)).containsEntry("orders", StepStatus.SUCCEEDED);
    }

    Path schemas = DbtArtifactsTest.schemas();
    assumeTrue(
        Files.isRegularFile(schemas.resolve("manifest-v12.json")),
        "dbt's artifact schemas are not in " + schemas);
    assertThat(DbtArtifactsTest.errors(schemas.resolve("manifest-v12.json"), manifest)).isEmpty();
    assertThat(DbtArtifactsTest.errors(schemas.resolve("run-results-v6.json"), runResults))
        .isEmpty();
    assertThat(DbtArtifactsTest.errors(schemas.resolve("run-results-v6.json"), testResults))
        .isEmpty();
  }

  private static Map<String, StepStatus> statuses(RunResult result) {
    Map<String, StepStatus> statuses = new LinkedHashMap<>();
    result.steps().forEach(step -> statuses.put(step.asset(), step.status()));
    return statuses;
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }
}
