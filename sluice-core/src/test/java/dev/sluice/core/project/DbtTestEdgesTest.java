package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.DbtRunResults;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's order of data tests on several nodes (dbt-core's {@code Linker.add_test_edges}): a test
 * whose other parents are not upstream of the model it tests runs after all of its parents are
 * built, instead of making a cycle, and gates (skips on failure) only what reads all of its
 * parents. The shape is dbt-labs' jaffle-shop's: {@code order_items.order_id} is tested against
 * {@code orders}, which reads {@code order_items}.
 */
class DbtTestEdgesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  @Test
  void aFailingTestAfterItsParentsSkipsOnlyWhatReadsAllOfThemAsDbtBuildDoes() throws IOException {
    writeShop("where status <> 'lost'");

    RunResult build;
    RunDetail detail;
    long orderItemsRows;
    try (Workspace workspace = Workspace.open(load())) {
      Project loaded = workspace.project();
      assertThat(loaded.graph().testsAfterParents())
          .extracting(TestAfterParents::asset, test -> test.check().type(), test -> test.parents())
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "order_items", "relationships", java.util.Set.of("order_items", "orders")));
      // no edge from orders to order_items: orders still reads order_items, after it
      assertThat(loaded.graph().upstream("order_items")).containsExactly("raw_items");
      assertThat(loaded.graph().upstream("orders")).containsExactly("order_items", "raw_orders");

      build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      DbtRunResults.write(loaded, build, "build", Instant.now());
      detail = workspace.runStore().runs().findRun(build.runId()).orElseThrow();
      orderItemsRows =
          new QueryService(workspace)
                      .query("select count(*) from main.order_items", ReadPoint.main(), 10)
                      .rows()
                      .get(0)
                      .get(0)
                  instanceof Number count
              ? count.longValue()
              : -1;
    }

    assertThat(statuses(build))
        .containsEntry("order_items", StepStatus.SUCCEEDED)
        .containsEntry("orders", StepStatus.SUCCEEDED)
        // reads order_items but not orders: the test does not gate it
        .containsEntry("item_counts", StepStatus.SUCCEEDED)
        // reads orders, so both of the test's parents: skipped as in dbt build
        .containsEntry("customers", StepStatus.SKIPPED);
    assertThat(step(build, "customers").error())
        .isEqualTo("skipped: test 'relationships(order_id)' of order_items failed");
    assertThat(build.succeeded()).isFalse();
    // the test runs after order_items is published: its rows are there, the orphan too
    assertThat(orderItemsRows).isEqualTo(3);
    assertThat(step(build, "order_items").checks())
        .anySatisfy(
            check -> {
              assertThat(check.check().name()).isEqualTo("relationships(order_id)");
              assertThat(check.passed()).isFalse();
              assertThat(check.failingRows()).isEqualTo(1);
            });

    // the run history has the test among order_items' checks
    StepDetail orderItems =
        detail.steps().stream()
            .filter(step -> step.asset().equals("order_items"))
            .findFirst()
            .orElseThrow();
    assertThat(orderItems.status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(orderItems.checks())
        .filteredOn(check -> check.name().equals("relationships(order_id)"))
        .extracting(CheckRecord::status)
        .containsExactly(CheckStatus.FAILED);

    // run_results.json: the test fails, orders succeeds, customers is skipped
    JsonNode results = JSON.readTree(project.resolve("target/run_results.json").toFile());
    Map<String, String> byId = new LinkedHashMap<>();
    results
        .get("results")
        .forEach(r -> byId.put(r.get("unique_id").asText(), r.get("status").asText()));
    assertThat(byId)
        .containsEntry("model.shop.orders", "success")
        .containsEntry("model.shop.customers", "skipped");
    assertThat(byId.entrySet())
        .filteredOn(entry -> entry.getKey().startsWith("test.shop.relationships_order_items"))
        .extracting(Map.Entry::getValue)
        .containsExactly("fail");
  }

  @Test
  void aPassingTestAfterItsParentsLetsEverythingBuild() throws IOException {
    writeShop("");

    try (Workspace workspace = Workspace.open(load())) {
      RunResult build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(build.succeeded()).isTrue();
      assertThat(statuses(build))
          .containsEntry("orders", StepStatus.SUCCEEDED)
          .containsEntry("customers", StepStatus.SUCCEEDED);
      assertThat(step(build, "order_items").checks())
          .filteredOn(check -> check.check().name().equals("relationships(order_id)"))
          .singleElement()
          .satisfies(check -> assertThat(check.passed()).isTrue());
    }
  }

  @Test
  void aTestOfAModelAgainstItsUpstreamStillRunsBeforeTheModelIsPublished() throws IOException {
    writeShop("");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: order_id
                data_tests:
                  - relationships: {to: ref('raw_orders'), field: id}
        """);

    Project loaded = load();

    // raw_orders is upstream of orders: the test stays in orders' step (write-audit-publish)
    assertThat(loaded.graph().testsAfterParents())
        .extracting(TestAfterParents::asset)
        .containsExactly("order_items");
  }

  /**
   * dbt-expectations' {@code expect_column_distinct_count_to_equal_other_table} shape: a generic
   * test of one model reads another model built in the same run that is not upstream of it (and the
   * other model tests back against it). Each runs once both are built and reads the other's table.
   */
  @Test
  void aGenericTestReadsTheOtherModelBuiltInTheSameRun() throws IOException {
    write(project, "dbt_project.yml", "name: shop\nmodels:\n  shop:\n    +materialized: table\n");
    write(project, "seeds/raw_days.csv", "day\n2024-01-01\n2024-01-02\n2024-01-03\n");
    write(
        project, "models/days.sql", "select cast(day as date) as day from {{ ref('raw_days') }}\n");
    // each day twice, and one day more
    write(
        project,
        "models/days_extended.sql",
        "select cast(day as date) as day, copy from {{ ref('raw_days') }}\n"
            + "cross join (select 1 as copy union all select 2) copies\n"
            + "union all select date '2024-01-04', 1\n");
    write(
        project,
        "macros/other_table.sql",
        "{% test distinct_count_equal(model, column_name, compare_model) %}\n"
            + "select * from (select count(distinct {{ column_name }}) as n from {{ model }}) a\n"
            + "cross join (select count(distinct {{ column_name }}) as m from {{ compare_model }})"
            + " b\n"
            + "where a.n <> b.m\n"
            + "{% endtest %}\n"
            + "{% test aggregation_equal(model, expression, compare_expression, compare_model) %}\n"
            + "select * from (select {{ expression }} as n from {{ model }}) a\n"
            + "cross join (select {{ compare_expression }} as m from {{ compare_model }}) b\n"
            + "where a.n <> b.m\n"
            + "{% endtest %}\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: days
            columns:
              - name: day
                data_tests:
                  - distinct_count_equal:
                      compare_model: ref("days_extended")
          - name: days_extended
            data_tests:
              - aggregation_equal:
                  expression: count(distinct day)
                  compare_expression: count(*)
                  compare_model: ref("days")
        """);

    // 4 distinct days in days_extended, 3 in days: both tests fail
    try (Workspace workspace = Workspace.open(load())) {
      assertThat(workspace.project().graph().testsAfterParents())
          .extracting(TestAfterParents::asset)
          .containsExactlyInAnyOrder("days", "days_extended");
      RunResult build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(statuses(build))
          .containsEntry("days", StepStatus.SUCCEEDED)
          .containsEntry("days_extended", StepStatus.SUCCEEDED);
      assertThat(build.succeeded()).isFalse();
      assertThat(step(build, "days").checks())
          .filteredOn(check -> check.check().type().equals("sql"))
          .singleElement()
          .satisfies(
              check -> {
                assertThat(check.error()).isNull();
                assertThat(check.passed()).isFalse();
                assertThat(check.failingRows()).isEqualTo(1);
              });
      assertThat(step(build, "days_extended").checks())
          .filteredOn(check -> check.check().type().equals("sql"))
          .singleElement()
          .satisfies(
              check -> {
                assertThat(check.error()).isNull();
                assertThat(check.passed()).isFalse();
              });
    }

    // without the extra day, 3 distinct days each, and days_extended's 6 rows: one passes
    write(
        project,
        "models/days_extended.sql",
        "select cast(day as date) as day, copy from {{ ref('raw_days') }}\n"
            + "cross join (select 1 as copy) copies\n");
    try (Workspace workspace = Workspace.open(load())) {
      RunResult build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(build.succeeded()).isTrue();
      assertThat(step(build, "days").checks())
          .filteredOn(check -> check.check().type().equals("sql"))
          .singleElement()
          .satisfies(check -> assertThat(check.passed()).isTrue());
      assertThat(step(build, "days_extended").checks())
          .filteredOn(check -> check.check().type().equals("sql"))
          .singleElement()
          .satisfies(check -> assertThat(check.passed()).isTrue());
    }
  }

  private Project load() {
    return Project.load(project, Invocation.NONE.withFlag("WHICH", "build"));
  }

  /** jaffle-shop's shape; {@code ordersFilter} may drop an order that an item names. */
  private void writeShop(String ordersFilter) throws IOException {
    write(project, "dbt_project.yml", "name: shop\nmodels:\n  shop:\n    +materialized: table\n");
    write(
        project,
        "seeds/raw_orders.csv",
        "id,customer_id,status\n1,10,placed\n2,10,shipped\n3,20,lost\n");
    write(project, "seeds/raw_items.csv", "id,order_id,sku\n100,1,a\n101,2,b\n102,3,c\n");
    write(
        project,
        "models/order_items.sql",
        "select id as order_item_id, order_id, sku from {{ ref('raw_items') }}\n");
    write(
        project,
        "models/orders.sql",
        "select o.id as order_id, o.customer_id, count(i.order_item_id) as items\n"
            + "from {{ ref('raw_orders') }} o\n"
            + "join {{ ref('order_items') }} i on i.order_id = o.id\n"
            + ordersFilter
            + "\ngroup by 1, 2\n");
    write(
        project,
        "models/customers.sql",
        "select customer_id, count(*) as orders from {{ ref('orders') }} group by 1\n");
    write(
        project,
        "models/item_counts.sql",
        "select sku, count(*) as items from {{ ref('order_items') }} group by 1\n");
    write(
        project,
        "models/order_items.yml",
        """
        version: 2
        models:
          - name: order_items
            columns:
              - name: order_id
                data_tests:
                  - relationships: {to: ref('orders'), field: order_id}
        """);
  }

  private static Map<String, StepStatus> statuses(RunResult result) {
    Map<String, StepStatus> statuses = new LinkedHashMap<>();
    result.steps().forEach(step -> statuses.put(step.asset(), step.status()));
    return statuses;
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow();
  }
}
