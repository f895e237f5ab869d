package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden path end to end: files → raw → curated → published, with checks, on real components.
 */
class GoldenPathTest {
  @TempDir Path project;

  private void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\nthreads: 3\nvars:\n  min_amount: 0\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: orders
            path: data/orders/*.csv
            mode: append
            on_error: quarantine
            columns:
              - name: order_id
                type: bigint
                checks: [not_null]
              - name: customer_id
                type: bigint
              - name: amount
                type: decimal(10,2)
              - name: status
                type: varchar
                checks:
                  - accepted_values: {values: [placed, shipped]}
          - name: customers
            path: data/customers.csv
            mode: full
        """);
    write(
        project,
        "data/customers.csv",
        "customer_id,name,country\n1,Ada,DE\n2,Grace,US\n3,Linus,FI\n");
    write(
        project,
        "data/orders/2024-01.csv",
        "order_id,customer_id,amount,status\n1,1,10.50,placed\n2,2,20.00,shipped\n3,1,5.25,placed\n");
    write(
        project,
        "seeds/countries.csv",
        "code,country_name\nDE,Germany\nUS,United States\nFI,Finland\n");
    write(
        project,
        "models/curated/orders.sql",
        """
        {{ config(materialized='incremental', unique_key='order_id') }}
        select order_id, customer_id, amount, status, _loaded_at
        from {{ source('shop', 'orders') }}
        where amount >= {{ var('min_amount') }}
        {% if is_incremental() %}
          and _loaded_at > (select coalesce(max(_loaded_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
        {% endif %}
        """);
    write(
        project,
        "models/curated/customers.sql",
        """
        select c.customer_id, c.name, k.country_name
        from {{ source('shop', 'customers') }} c
        join {{ ref('countries') }} k on k.code = c.country
        """);
    write(
        project,
        "models/published/revenue_by_country.sql",
        """
        select c.country_name, sum(o.amount) as revenue, count(*) as orders
        from {{ ref('orders') }} o join {{ ref('customers') }} c using (customer_id)
        group by 1
        """);
    write(
        project,
        "models/published/big_orders.sql",
        "{{ config(materialized='view') }}\nselect * from {{ ref('orders') }} where amount > 10\n");
    write(
        project,
        "models/published/schema.yaml",
        """
        models:
          - name: revenue_by_country
            description: Revenue per country
            owner: finance
            columns:
              - name: country_name
                description: Country
                checks: [not_null, unique]
              - name: revenue
                checks:
                  - expression: {expression: "revenue > 0"}
            checks:
              - row_count: {min: 1}
              - sql:
                  name: no_negative_orders
                  query: "select * from {{ this }} where orders < 0"
          - name: big_orders
            columns:
              - name: customer_id
                checks:
                  - relationships: {to: customers, field: customer_id}
        """);
  }

  @Test
  void buildsChecksAndPublishesEveryLayerAndRerunsWithoutDuplicates() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      long afterFirstRun = System.currentTimeMillis();
      List<dev.sluice.core.state.RunEvent> timeline =
          workspace.runStore().events().events(first.runId());
      assertThat(timeline)
          .first()
          .extracting(dev.sluice.core.state.RunEvent::kind)
          .isEqualTo("queued");
      assertThat(timeline)
          .last()
          .extracting(dev.sluice.core.state.RunEvent::kind)
          .isEqualTo("finished");
      assertThat(timeline)
          .filteredOn(event -> "revenue_by_country".equals(event.asset()))
          .extracting(dev.sluice.core.state.RunEvent::kind)
          .containsExactly("started", "checked", "published");
      // the next run's snapshots are later than this, so that reading as of it reads the first
      dev.sluice.core.testing.WallClock.awaitPast(afterFirstRun);
      assertThat(first.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(first.steps())
          .extracting(StepResult::asset)
          .containsExactlyInAnyOrder(
              "shop.orders",
              "shop.customers",
              "countries",
              "orders",
              "customers",
              "revenue_by_country",
              "big_orders");

      QueryService queries = new QueryService(workspace);
      assertThat(
              rows(
                  queries,
                  "select country_name, revenue, orders from published.revenue_by_country order by 1"))
          .containsExactly(
              List.of("Germany", "15.75", "2"), List.of("United States", "20.00", "1"));
      assertThat(rows(queries, "select count(*) from published.big_orders"))
          .containsExactly(List.of("2"));
      assertThat(rows(queries, "select _source_file from raw.shop_orders limit 1"))
          .containsExactly(List.of("data/orders/2024-01.csv"));

      Table table = workspace.lake().loadTable(new TableName("published", "revenue_by_country"));
      assertThat(table.properties())
          .containsEntry("comment", "Revenue per country")
          .containsEntry("sluice.owner", "finance");
      assertThat(table.schema().findField("country_name").doc()).isEqualTo("Country");
      assertThat(icebergRows(table)).hasSize(2);

      // the same files again: nothing new is loaded, nothing duplicated
      RunResult second = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(second.succeeded()).isTrue();
      assertThat(rows(queries, "select count(*), count(distinct order_id) from curated.orders"))
          .containsExactly(List.of("3", "3"));

      // a new file: appended to raw, merged into the incremental model (order 3 changes)
      write(
          project,
          "data/orders/2024-02.csv",
          "order_id,customer_id,amount,status\n4,3,7.00,shipped\n3,1,6.25,shipped\n");
      RunResult third = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(third.succeeded()).as(String.valueOf(third.steps())).isTrue();
      assertThat(rows(queries, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("5"));
      assertThat(rows(queries, "select order_id, amount, status from curated.orders order by 1"))
          .containsExactly(
              List.of("1", "10.50", "placed"), List.of("2", "20.00", "shipped"),
              List.of("3", "6.25", "shipped"), List.of("4", "7.00", "shipped"));

      // the run store has it all
      RunDetail detail = workspace.runStore().runs().findRun(third.runId()).orElseThrow();
      assertThat(detail.summary().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(detail.steps())
          .anySatisfy(
              step -> {
                assertThat(step.asset()).isEqualTo("revenue_by_country");
                assertThat(step.metrics().rowsOut()).isEqualTo(3);
                assertThat(step.metrics().snapshotId()).isNotNull();
                assertThat(step.checks())
                    .hasSize(5)
                    .allSatisfy(
                        check ->
                            assertThat(check.status())
                                .isEqualTo(dev.sluice.core.state.CheckStatus.PASSED));
              });

      // time travel: the first version of curated.orders had 3 rows with the old amount
      long firstSnapshot =
          first.steps().stream()
              .filter(s -> s.asset().equals("orders"))
              .findFirst()
              .orElseThrow()
              .snapshotId();
      assertThat(
              rows(
                  queries,
                  "select amount from curated.orders where order_id = 3",
                  ReadPoint.snapshot(firstSnapshot)))
          .containsExactly(List.of("5.25"));
      assertThat(
              rows(
                  queries,
                  "select count(*), max(amount) from curated.orders",
                  ReadPoint.asOf(afterFirstRun)))
          .containsExactly(List.of("3", "20.00"));
    }
  }

  @Test
  void failingBlockingCheckLeavesPublishedDataUntouchedAndSkipsDownstream() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      long before =
          workspace
              .lake()
              .loadTable(new TableName("raw", "shop_orders"))
              .currentSnapshot()
              .snapshotId();

      // an unknown status breaks the accepted_values check on the source table
      write(
          project,
          "data/orders/2024-03.csv",
          "order_id,customer_id,amount,status\n9,2,99.00,lost\n");
      RunResult failed = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      StepResult source = step(failed, "shop.orders");
      assertThat(source.status()).isEqualTo(StepStatus.FAILED);
      assertThat(source.error())
          .contains("accepted_values(status)")
          .contains("readers still see the previous data");
      CheckOutcome unique =
          source.checks().stream().filter(c -> !c.passed()).findFirst().orElseThrow();
      assertThat(unique.failingRows()).isEqualTo(1);
      assertThat(unique.sample().rows()).isNotEmpty();
      assertThat(step(failed, "orders").status()).isEqualTo(StepStatus.SKIPPED);
      assertThat(step(failed, "orders").error()).contains("upstream shop.orders failed");

      Table raw = workspace.lake().loadTable(new TableName("raw", "shop_orders"));
      assertThat(raw.currentSnapshot().snapshotId()).isEqualTo(before);
      assertThat(raw.refs().keySet()).containsExactly("main");
      assertThat(rows(new QueryService(workspace), "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
    }
  }

  @Test
  void quarantinesMalformedRowsWithTheirReason() throws Exception {
    writeProject();
    write(
        project,
        "data/orders/2024-01.csv",
        "order_id,customer_id,amount,status\n1,1,10.50,placed\n2,2,not-a-number,shipped\n3,1,5.25,placed,extra\n4,2,1.00,placed\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace)
              .run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
      assertThat(result.succeeded()).isTrue();
      assertThat(step(result, "shop.orders").rejectedRows()).isEqualTo(2);
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select order_id from raw.shop_orders order by 1"))
          .containsExactly(List.of("1"), List.of("4"));
      assertThat(rows(queries, "select _line from raw.shop_orders__rejected order by 1"))
          .containsExactly(List.of("3"), List.of("4"));
      assertThat(
              rows(queries, "select _reason from raw.shop_orders__rejected order by _line")
                  .get(0)
                  .get(0))
          .containsIgnoringCase("amount");
    }
  }

  @Test
  void malformedRowsFailTheLoadByDefaultNamingFileAndLine() throws Exception {
    writeProject();
    write(
        project,
        "sources/shop.yaml",
        Files.readString(project.resolve("sources/shop.yaml"))
            .replace("on_error: quarantine", "on_error: fail"));
    write(
        project,
        "data/orders/2024-01.csv",
        "order_id,customer_id,amount,status\n1,1,10.50,placed\n2,2,oops,shipped\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace)
              .run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
      StepResult step = step(result, "shop.orders");
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error()).contains("data/orders/2024-01.csv").contains("3");
      assertThat(
              workspace
                  .lake()
                  .findTable(new TableName("raw", "shop_orders"))
                  .map(t -> t.currentSnapshot()))
          .isEmpty();
    }
  }

  @Test
  void malformedSeedRowsNameTheSeedFile() throws Exception {
    writeProject();
    write(
        project,
        "seeds/countries.csv",
        "code,country_name\nDE,Germany\nUS,\"United States\nFI,Finland\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace).run(new RunOptions(List.of("countries"), false), RunListener.NONE);
      StepResult seed = step(result, "countries");
      assertThat(seed.status()).isEqualTo(StepStatus.FAILED);
      assertThat(seed.error())
          .contains("seeds/countries.csv")
          .contains("Fix the seed file")
          .doesNotContain("sources/seed.yaml");
    }
  }

  @Test
  void sqlErrorNamesTheModelFileAndLine() throws Exception {
    writeProject();
    write(
        project,
        "models/published/broken.sql",
        "select\n  order_id,\n  no_such_column\nfrom {{ ref('orders') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      StepResult broken = step(result, "broken");
      assertThat(broken.status()).isEqualTo(StepStatus.FAILED);
      assertThat(broken.error())
          .contains("Model broken")
          .contains("models/published/broken.sql:3")
          .contains("no_such_column");
      assertThat(step(result, "revenue_by_country").status()).isEqualTo(StepStatus.SUCCEEDED);
    }
  }

  @Test
  void queriesMustBeReadOnly() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      assertThatThrownBy(
              () -> new QueryService(workspace).query("drop table raw.x", ReadPoint.main(), 10))
          .hasMessageContaining("Only one SELECT");
    }
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    return rows(queries, sql, ReadPoint.main());
  }

  private static List<List<String>> rows(QueryService queries, String sql, ReadPoint point) {
    QueryResult result = queries.query(sql, point, 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }

  private static List<Record> icebergRows(Table table) throws IOException {
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> iterable = IcebergGenerics.read(table).build()) {
      iterable.forEach(records::add);
    }
    return records;
  }
}
