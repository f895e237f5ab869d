package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.DbtRunResults;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's {@code incremental_strategy: microbatch} on Sluice's time partitions, against real DuckDB
 * and Iceberg: each batch is built from its window of the inputs that have an event time (the
 * others read whole) and replaces its window's rows in one commit; the rows expected are written by
 * hand from dbt's semantics.
 */
class DbtMicrobatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  /** Events: two on Jan 1, one on Jan 2, one on Jan 3, one on Jan 4, one before begin. */
  private static final String EVENTS =
      """
      id,occurred_at,amount
      1,2024-01-01 05:00:00,10
      2,2024-01-01 23:00:00,5
      3,2024-01-02 01:00:00,7
      4,2024-01-03 12:00:00,1
      5,2024-01-04 09:00:00,2
      6,2023-12-31 22:00:00,100
      """;

  @BeforeEach
  void project() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          shop:
            events:
              +event_time: occurred_at
              +column_types: {occurred_at: timestamp}
        """);
    write(project, "seeds/events.csv", EVENTS);
    // an input without event_time: every batch reads all of it
    write(project, "seeds/regions.csv", "region\neu\nus\napac\n");
    // a source with an event time: each batch reads its window of it
    write(
        project,
        "models/sources.yml",
        """
        sources:
          - name: shop
            tables:
              - name: refunds
                meta: {external_location: 'data/refunds.csv'}
                config: {event_time: refunded_at}
        """);
    write(
        project,
        "data/refunds.csv",
        "id,refunded_at\n1,2024-01-01 10:00:00\n2,2024-01-03 08:00:00\n3,2024-01-03 09:00:00\n");
    write(
        project,
        "models/daily.sql",
        """
        {{ config(
            materialized='incremental',
            incremental_strategy='microbatch',
            event_time='day',
            begin='2024-01-01',
            batch_size='day'
        ) }}
        select date_trunc('day', occurred_at) as day,
            '{{ model.batch.id }}' as batch_id,
            '{{ model.batch.event_time_start }}' as batch_start,
            count(*) as events,
            sum(amount) as amount,
            (select count(*) from {{ ref('regions') }}) as regions,
            (select count(*) from {{ source('shop', 'refunds') }}) as refunds
        from {{ ref('events') }}
        group by all
        """);
  }

  private RunResult run(Instant now, RunOptions options) {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace, Clock.fixed(now, ZoneOffset.UTC)).run(options, RunListener.NONE);
    }
  }

  private List<List<String>> rows(String sql) {
    try (Workspace workspace = Workspace.open(project)) {
      List<List<String>> rows = new ArrayList<>();
      for (List<Object> row :
          new QueryService(workspace).query(sql, ReadPoint.main(), 1000).rows()) {
        rows.add(row.stream().map(String::valueOf).toList());
      }
      return rows;
    }
  }

  private List<List<String>> daily() {
    return rows(
        "select strftime(day, '%Y-%m-%d'), batch_id, batch_start, events, amount, regions,"
            + " refunds"
            + " from main.daily order by day");
  }

  private static List<String> steps(RunResult result) {
    return result.steps().stream()
        .map(StepResult::asset)
        .filter(asset -> asset.startsWith("daily"))
        .toList();
  }

  @Test
  void aFirstRunBuildsEveryBatchFromBeginToTheOneInProgressFromItsWindowOfTheInputs() {
    Project loaded = Project.load(project, Map.of());
    ModelDef daily = loaded.models().get("daily");
    assertThat(daily.materialization()).isEqualTo(Materialization.INCREMENTAL_BY_TIME_RANGE);
    assertThat(daily.partitions().time().orElseThrow().grain()).isEqualTo(TimeGrain.DAY);

    RunResult first = run(Instant.parse("2024-01-04T10:00:00Z"), RunOptions.all());
    assertThat(first.succeeded()).as(first.toString()).isTrue();
    assertThat(steps(first))
        .containsExactly(
            "daily[2024-01-01]", "daily[2024-01-02]", "daily[2024-01-03]", "daily[2024-01-04]");
    // each batch read its day of events (not the one before begin) and all three regions
    assertThat(daily())
        .containsExactly(
            List.of("2024-01-01", "20240101", "2024-01-01 00:00:00+00:00", "2", "15", "3", "1"),
            List.of("2024-01-02", "20240102", "2024-01-02 00:00:00+00:00", "1", "7", "3", "0"),
            List.of("2024-01-03", "20240103", "2024-01-03 00:00:00+00:00", "1", "1", "3", "2"),
            List.of("2024-01-04", "20240104", "2024-01-04 00:00:00+00:00", "1", "2", "3", "0"));
    // the SQL ran for the last batch reads the input through dbt's filter
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(
              new SqlRenderer()
                  .render(
                      daily,
                      new SqlRenderer.RenderContext(
                          true,
                          Map.of(),
                          name -> workspace.project().refTable(name).orElse(null),
                          (source, table) ->
                              workspace
                                  .project()
                                  .sourceTable(source, table)
                                  .map(SourceTableDef::tableName)
                                  .orElse(null),
                          daily.tableName(),
                          PartitionVariables.of(
                              PartitionRange.of(
                                  daily.partitions(), PartitionKey.parse("2024-01-02"))),
                          workspace.project().dbt())))
          .contains(
              "from (select * from \"main\".\"events\" where occurred_at >= '2024-01-02"
                  + " 00:00:00+00:00' and occurred_at < '2024-01-03 00:00:00+00:00')"
                  + " _dbt_et_filter_subq_events")
          .contains("(select count(*) from \"main\".\"regions\")")
          .contains(
              "(select * from (select * exclude (_source_file, _loaded_at) from"
                  + " \"raw\".\"shop_refunds\") where refunded_at >= '2024-01-02 00:00:00+00:00' and"
                  + " refunded_at < '2024-01-03 00:00:00+00:00') _dbt_et_filter_subq_refunds");
    }
  }

  /** dbt truncates an hourly model's begin to its hour: the first batch is that hour's. */
  @Test
  void anHourlyModelsFirstBatchIsTheHourItsBeginFallsIn() {
    write(
        project,
        "models/hourly.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
            event_time='hour', begin='2024-01-01 05:30:00', batch_size='hour') }}
        select date_trunc('hour', occurred_at) as hour, count(*) as events
        from {{ ref('events') }}
        group by all
        """);
    RunResult first = run(Instant.parse("2024-01-01T07:10:00Z"), RunOptions.all());
    assertThat(first.succeeded()).as(first.toString()).isTrue();
    assertThat(
            first.steps().stream()
                .map(StepResult::asset)
                .filter(asset -> asset.startsWith("hourly"))
                .toList())
        .containsExactly("hourly[2024-01-01T05]", "hourly[2024-01-01T06]", "hourly[2024-01-01T07]");
    assertThat(rows("select strftime(hour, '%Y-%m-%d %H'), events from main.hourly"))
        .containsExactly(List.of("2024-01-01 05", "1"));
  }

  /**
   * dbt filters a snapshot with an {@code event_time} like any input that has one (its
   * resolve_event_time_filter takes a SnapshotConfig, a NodeConfig): each batch reads its window.
   */
  @Test
  void aSnapshotWithAnEventTimeIsReadThroughTheBatchsWindow() {
    write(
        project,
        "snapshots/events_snapshot.sql",
        """
        {% snapshot events_snapshot %}
        {{ config(unique_key='id', strategy='timestamp', updated_at='occurred_at',
                  event_time='occurred_at', target_schema='snapshots') }}
        select * from {{ ref('events') }}
        {% endsnapshot %}
        """);
    write(
        project,
        "models/from_snapshot.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
            event_time='day', begin='2024-01-01', batch_size='day') }}
        select date_trunc('day', occurred_at) as day, count(*) as events
        from {{ ref('events_snapshot') }}
        group by all
        """);
    RunResult first = run(Instant.parse("2024-01-04T10:00:00Z"), RunOptions.all());
    assertThat(first.succeeded()).as(first.toString()).isTrue();
    // each batch read its day of the snapshot (read whole, every batch would have held every day)
    assertThat(
            rows("select strftime(day, '%Y-%m-%d'), events from main.from_snapshot order by day"))
        .containsExactly(
            List.of("2024-01-01", "2"),
            List.of("2024-01-02", "1"),
            List.of("2024-01-03", "1"),
            List.of("2024-01-04", "1"));
  }

  @Test
  void laterRunsRebuildTheLookbackAndTheBatchInProgressOnly() {
    assertThat(run(Instant.parse("2024-01-04T10:00:00Z"), RunOptions.all()).succeeded()).isTrue();
    // late rows: one for Jan 4 (in the lookback), one for Jan 2 (before it: dbt leaves it)
    write(
        project,
        "seeds/events.csv",
        EVENTS + "7,2024-01-04 11:00:00,30\n8,2024-01-02 02:00:00,50\n9,2024-01-05 00:30:00,4\n");

    RunResult second = run(Instant.parse("2024-01-05T01:00:00Z"), RunOptions.all());
    assertThat(second.succeeded()).as(second.toString()).isTrue();
    assertThat(steps(second)).containsExactly("daily[2024-01-04]", "daily[2024-01-05]");
    assertThat(daily())
        .containsExactly(
            List.of("2024-01-01", "20240101", "2024-01-01 00:00:00+00:00", "2", "15", "3", "1"),
            List.of("2024-01-02", "20240102", "2024-01-02 00:00:00+00:00", "1", "7", "3", "0"),
            List.of("2024-01-03", "20240103", "2024-01-03 00:00:00+00:00", "1", "1", "3", "2"),
            List.of("2024-01-04", "20240104", "2024-01-04 00:00:00+00:00", "2", "32", "3", "0"),
            List.of("2024-01-05", "20240105", "2024-01-05 00:00:00+00:00", "1", "4", "3", "0"));

    // --full-refresh rebuilds every batch from begin, each from its own window, in one commit
    RunResult refresh =
        run(
            Instant.parse("2024-01-05T01:00:00Z"),
            new RunOptions(List.of(), List.of(), true, PartitionSelection.DUE, 0));
    assertThat(refresh.succeeded()).as(refresh.toString()).isTrue();
    assertThat(steps(refresh)).containsExactly("daily[*]");
    assertThat(daily())
        .containsExactly(
            List.of("2024-01-01", "20240101", "2024-01-01 00:00:00+00:00", "2", "15", "3", "1"),
            List.of("2024-01-02", "20240102", "2024-01-02 00:00:00+00:00", "2", "57", "3", "0"),
            List.of("2024-01-03", "20240103", "2024-01-03 00:00:00+00:00", "1", "1", "3", "2"),
            List.of("2024-01-04", "20240104", "2024-01-04 00:00:00+00:00", "2", "32", "3", "0"),
            List.of("2024-01-05", "20240105", "2024-01-05 00:00:00+00:00", "1", "4", "3", "0"));
  }

  @Test
  void theEventTimeFlagsRebuildTheirBatchesAndFullRefreshFalseKeepsTheTable() {
    write(
        project,
        "models/daily.yml",
        """
        models:
          - name: daily
            config:
              full_refresh: false
        """);
    assertThat(run(Instant.parse("2024-01-04T10:00:00Z"), RunOptions.all()).succeeded()).isTrue();
    write(project, "seeds/events.csv", EVENTS + "8,2024-01-02 02:00:00,50\n");

    // dbt's --event-time-start 2024-01-02 --event-time-end 2024-01-03: that one batch
    RunResult backfill =
        run(
            Instant.parse("2024-01-04T10:00:00Z"),
            new RunOptions(
                List.of(),
                List.of(),
                false,
                PartitionSelection.days(
                    PartitionSelection.Mode.ALL,
                    LocalDate.parse("2024-01-02"),
                    LocalDate.parse("2024-01-03"),
                    List.of(),
                    1),
                0));
    assertThat(backfill.succeeded()).as(backfill.toString()).isTrue();
    assertThat(steps(backfill)).containsExactly("daily[2024-01-02]");
    assertThat(daily())
        .element(1)
        .isEqualTo(
            List.of("2024-01-02", "20240102", "2024-01-02 00:00:00+00:00", "2", "57", "3", "0"));

    // full_refresh: false: --full-refresh builds the model as a plain run does
    RunResult refresh =
        run(
            Instant.parse("2024-01-04T10:00:00Z"),
            new RunOptions(List.of(), List.of(), true, PartitionSelection.DUE, 0));
    assertThat(refresh.succeeded()).as(refresh.toString()).isTrue();
    assertThat(steps(refresh)).containsExactly("daily[2024-01-03]", "daily[2024-01-04]");
  }

  @Test
  void aFailingBatchFailsAloneTheOthersArePublishedAndTheNextRunRetriesIt() throws IOException {
    write(
        project,
        "models/daily.yml",
        """
        models:
          - name: daily
            columns:
              - name: amount
                data_tests:
                  - accepted_values:
                      values: [15, 1, 2]
                      quote: false
        """);
    Instant now = Instant.parse("2024-01-04T10:00:00Z");
    RunResult first = run(now, RunOptions.all());
    assertThat(first.succeeded()).isFalse();
    // Jan 2 (amount 7) failed its test: its rows are not published, the other batches' are
    assertThat(daily())
        .extracting(row -> row.get(0))
        .containsExactly("2024-01-01", "2024-01-03", "2024-01-04");
    Project loaded = Project.load(project, Map.of());
    Path runResults = DbtRunResults.write(loaded, first, "run", now);
    JsonNode node = null;
    for (JsonNode result : JSON.readTree(runResults.toFile()).get("results")) {
      if (result.get("unique_id").asText().equals("model.shop.daily")) {
        node = result;
      }
    }
    assertThat(node).isNotNull();
    assertThat(node.get("status").asText()).isEqualTo("partial success");
    assertThat(node.get("batch_results").get("failed").toString())
        .isEqualTo("[[\"2024-01-02T00:00:00+00:00\",\"2024-01-03T00:00:00+00:00\"]]");
    assertThat(node.get("batch_results").get("successful")).hasSize(3);
    assertThat(node.get("batch_results").get("successful").get(0).toString())
        .isEqualTo("[\"2024-01-01T00:00:00+00:00\",\"2024-01-02T00:00:00+00:00\"]");
    Path schemas = DbtArtifactsTest.schemas();
    assumeTrue(Files.isRegularFile(schemas.resolve("run-results-v6.json")), "no dbt schemas");
    try (InputStream in = Files.newInputStream(schemas.resolve("run-results-v6.json"))) {
      assertThat(
              JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                  .getSchema(in)
                  .validate(JSON.readTree(runResults.toFile())))
          .isEmpty();
    }

    // the next run retries the failed batch (and rebuilds the lookback)
    write(
        project,
        "models/daily.yml",
        """
        models:
          - name: daily
            columns:
              - name: amount
                data_tests:
                  - accepted_values:
                      values: [15, 7, 1, 2]
                      quote: false
        """);
    RunResult retry = run(now, RunOptions.all());
    assertThat(retry.succeeded()).as(retry.toString()).isTrue();
    assertThat(steps(retry))
        .containsExactly("daily[2024-01-02]", "daily[2024-01-03]", "daily[2024-01-04]");
    assertThat(daily()).hasSize(4);
  }

  /**
   * dbt runs a microbatch model's data tests once, on the whole table, after its batches: a key
   * repeated by two batches fails its unique test. Sluice audits each batch against the table as it
   * will be (the published rows outside the batch's window and the batch's rows), so the batch that
   * repeats the key is not published; a batch rebuilt later is not compared with its own old rows.
   */
  @Test
  void aBatchsDataTestsSeeTheWholeTableSoAKeyRepeatedAcrossBatchesFails() {
    write(
        project,
        "models/keyed.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
            event_time='occurred_at', begin='2024-01-01', batch_size='day') }}
        select occurred_at, case when id in (1, 3) then 'repeated' else cast(id as varchar) end as code
        from {{ ref('events') }}
        """);
    write(
        project,
        "models/keyed.yml",
        """
        models:
          - name: keyed
            columns:
              - name: code
                data_tests: [unique]
        """);
    Instant now = Instant.parse("2024-01-04T10:00:00Z");
    // one batch at a time
    RunOptions oneByOne = new RunOptions(List.of(), List.of(), false, PartitionSelection.DUE, 1);
    RunResult first = run(now, oneByOne);
    assertThat(first.succeeded()).isFalse();
    Map<String, StepResult> keyed = new java.util.LinkedHashMap<>();
    first.steps().stream()
        .filter(step -> step.asset().startsWith("keyed"))
        .forEach(step -> keyed.put(step.asset(), step));
    // the batch audited second of Jan 1 and Jan 2 repeats the other's 'repeated': its test fails
    List<String> failed =
        keyed.values().stream()
            .filter(step -> step.status() == dev.sluice.core.state.StepStatus.FAILED)
            .map(StepResult::asset)
            .toList();
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0)).isIn("keyed[2024-01-01]", "keyed[2024-01-02]");
    assertThat(keyed.get(failed.get(0)).checks())
        .filteredOn(check -> !check.passed())
        .extracting(check -> check.check().name())
        .containsExactly("unique(code)");
    String failedDay = failed.get(0).substring(6, 16);
    // production has every batch but the one that failed its test, so 'repeated' once
    assertThat(rows("select count(*) from main.keyed where code = 'repeated'"))
        .containsExactly(List.of("1"));
    assertThat(rows("select strftime(occurred_at, '%Y-%m-%d') from main.keyed"))
        .isNotEmpty()
        .doesNotContain(List.of(failedDay));
    List<List<String>> published = rows("select count(*) from main.keyed");

    // the next run rebuilds Jan 3 and 4 (their keys are in the table already: not repeats) and
    // retries the failed batch, which fails again
    RunResult second = run(now, oneByOne);
    Map<String, dev.sluice.core.state.StepStatus> statuses = new java.util.LinkedHashMap<>();
    second.steps().stream()
        .filter(step -> step.asset().startsWith("keyed"))
        .forEach(step -> statuses.put(step.asset(), step.status()));
    assertThat(statuses)
        .containsEntry(failed.get(0), dev.sluice.core.state.StepStatus.FAILED)
        .containsEntry("keyed[2024-01-03]", dev.sluice.core.state.StepStatus.SUCCEEDED)
        .containsEntry("keyed[2024-01-04]", dev.sluice.core.state.StepStatus.SUCCEEDED);
    assertThat(rows("select count(*) from main.keyed")).isEqualTo(published);
  }

  @Test
  void aMicrobatchModelWithoutItsSettingsIsAProblemAtItsLines() {
    write(
        project,
        "models/daily.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch') }}
        select 1 as id
        """);
    write(
        project,
        "models/hourly.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
                  event_time='at', begin='2024-01-01',
                  batch_size='week') }}
        select 1 as id
        """);
    List<Problem> problems = problems(project);
    assertThat(problems)
        .anySatisfy(
            problem -> {
              assertThat(problem.location().toString()).isEqualTo("models/daily.sql:1");
              assertThat(problem.message()).isEqualTo("Microbatch model 'daily' has no event_time");
            })
        .anySatisfy(
            problem -> {
              assertThat(problem.location().toString()).isEqualTo("models/daily.sql:1");
              assertThat(problem.message()).isEqualTo("Microbatch model 'daily' has no begin");
            })
        .anySatisfy(
            problem -> {
              assertThat(problem.location().toString()).isEqualTo("models/daily.sql:1");
              assertThat(problem.message()).isEqualTo("Microbatch model 'daily' has no batch_size");
              assertThat(problem.hint()).contains("hour, day, month, year");
            })
        .anySatisfy(
            problem -> {
              assertThat(problem.location().toString()).isEqualTo("models/hourly.sql:3");
              assertThat(problem.message())
                  .isEqualTo("batch_size 'week' of model 'hourly' is not hour, day, month or year");
            });
  }
}
