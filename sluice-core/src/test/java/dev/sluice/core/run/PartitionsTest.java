package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.PartitionState;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitioned models against real DuckDB and Iceberg: each step replaces exactly its partitions in
 * one commit, the run store knows every partition's state, and backfills batch and select them.
 */
class PartitionsTest {
  @TempDir Path project;

  private final LocalDate today = LocalDate.now(ZoneOffset.UTC);
  private final LocalDate start = today.minusDays(5);

  /** Events of the five complete days before today, in two regions; amount = day index. */
  private void events(int extraOnThirdDay) throws IOException {
    StringBuilder csv = new StringBuilder("event_date,region,amount\n");
    for (int day = 0; day < 5; day++) {
      for (String region : List.of("eu", "us")) {
        csv.append(start.plusDays(day)).append(',').append(region).append(',').append(day + 1);
        csv.append('\n');
      }
    }
    for (int i = 0; i < extraOnThirdDay; i++) {
      csv.append(start.plusDays(2)).append(",eu,100\n");
    }
    write(project, "data/events.csv", csv.toString());
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: partitions\nthreads: 2\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: full\n");
    events(0);
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, sum(amount) as amount, count(*) as events\n"
            + "from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n");
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n"
            + "  - name: daily\n"
            + "    materialized: incremental_by_time_range\n"
            + "    partitions:\n"
            + "      - column: event_date\n"
            + "        grain: day\n"
            + "        start: "
            + start
            + "\n");
  }

  private RunResult run(Workspace workspace, RunOptions options) {
    RunResult result = new Runner(workspace).run(options, RunListener.NONE);
    return result;
  }

  private static RunOptions select(String selection, PartitionSelection partitions, int threads) {
    return new RunOptions(List.of(selection), List.of(), false, partitions, threads);
  }

  private static List<List<Object>> rows(Workspace workspace, String sql) {
    return new QueryService(workspace).query(sql, ReadPoint.main(), 1000).rows();
  }

  private static List<String> stepNames(RunResult result) {
    List<String> names = new ArrayList<>();
    result.steps().forEach(step -> names.add(step.asset()));
    return names;
  }

  @Test
  void aRunBuildsEveryMissingPartitionThenNothingUntilOneIsDue() {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace, RunOptions.all());
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      List<String> days = new ArrayList<>();
      for (int day = 0; day < 5; day++) {
        days.add("daily[" + start.plusDays(day) + "]");
      }
      assertThat(stepNames(first)).containsAll(days).hasSize(6);
      assertThat(rows(workspace, "select count(*), sum(amount), sum(events) from curated.daily"))
          .containsExactly(List.of(5L, new java.math.BigDecimal("30"), java.math.BigInteger.TEN));

      Map<String, PartitionState> states = workspace.runStore().partitions().partitions("daily");
      assertThat(states).hasSize(5);
      assertThat(states.values()).allMatch(PartitionState::materialized);
      assertThat(states.get(start.toString()).rows()).isEqualTo(1L);
      assertThat(states.get(start.toString()).runId()).isEqualTo(first.runId());

      RunResult second = run(workspace, RunOptions.all());
      assertThat(stepNames(second)).containsExactly("app.events");

      RunDetail detail = workspace.runStore().runs().findRun(first.runId()).orElseThrow();
      assertThat(detail.steps()).extracting(StepDetail::asset).containsAll(days);
    }
  }

  @Test
  void newUpstreamRowsInAPartitionsWindowMakeItStaleAndTheNextRunRebuildsIt() throws IOException {
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    write(
        project,
        "models/curated/weekly.sql",
        "select event_date, sum(amount) as amount from {{ ref('daily') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n");
    write(
        project,
        "models/curated/weekly.yaml",
        "models:\n  - name: weekly\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - column: event_date\n        grain: day\n"
            + "        start: "
            + start
            + "\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
      Planner planner = new Planner(workspace);
      ModelDef daily = workspace.project().models().get("daily");
      assertThat(planner.stalePartitions(daily)).isEmpty();
      // nothing new: only the source's step would run
      assertThat(planner.plan(RunOptions.all()))
          .extracting(PlannedStep::asset)
          .containsExactly("app.events");

      // late rows for the third day arrive in a new file
      write(
          project, "data/late.csv", "event_date,region,amount\n" + start.plusDays(2) + ",eu,100\n");
      assertThat(run(workspace, select("app.events", PartitionSelection.DUE, 1)).succeeded())
          .isTrue();

      String third = start.plusDays(2).toString();
      assertThat(planner.stalePartitions(daily))
          .containsOnlyKeys(third)
          .containsValue("input raw.app_events changed in its window since it was built");
      List<PlannedStep> plan = planner.plan(RunOptions.all());
      assertThat(plan)
          .extracting(PlannedStep::asset)
          .containsExactly("app.events", "daily[" + third + "]", "weekly[" + third + "]");
      assertThat(plan.get(1).reasons())
          .containsExactly("stale: input raw.app_events changed in its window since it was built");
      assertThat(plan.get(2).reasons())
          .containsExactly("stale: upstream daily[" + third + "] is rebuilt in this run");

      RunResult rebuilt = run(workspace, RunOptions.all());
      assertThat(rebuilt.succeeded()).as(String.valueOf(rebuilt.steps())).isTrue();
      assertThat(stepNames(rebuilt))
          .containsExactly("app.events", "daily[" + third + "]", "weekly[" + third + "]");
      assertThat(
              rows(
                  workspace,
                  "select amount from curated.weekly where event_date = '" + third + "'"))
          .containsExactly(List.of(new java.math.BigDecimal("106")));
      assertThat(planner.stalePartitions(daily)).isEmpty();
      assertThat(stepNames(run(workspace, RunOptions.all()))).containsExactly("app.events");
    }
  }

  @Test
  void aPartitionCanReadTheModelsEarlierPartitionsThroughThis() throws IOException {
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, count(*) as events,\n"
            + "{% if is_incremental() %}(select count(*) from {{ this }}){% else %}0{% endif %}"
            + " as earlier_days\n"
            + "from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, select("app.events", PartitionSelection.DUE, 0)).succeeded())
          .isTrue();
      for (int day = 0; day < 3; day++) {
        PartitionSelection one =
            new PartitionSelection(
                PartitionSelection.Mode.ALL,
                null,
                null,
                List.of(start.plusDays(day).toString()),
                1);
        RunResult result = run(workspace, select("daily", one, 0));
        assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      }
      assertThat(rows(workspace, "select earlier_days from curated.daily order by event_date"))
          .containsExactly(List.of(0L), List.of(1L), List.of(2L));
    }
  }

  @Test
  void rebuildingAPartitionReplacesExactlyItsRowsAndIsIdempotent() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace, RunOptions.all());
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      String third = start.plusDays(2).toString();
      events(3);
      assertThat(run(workspace, select("app.events", PartitionSelection.DUE, 0)).succeeded())
          .isTrue();
      assertThat(rows(workspace, "select count(*) from raw.app_events"))
          .containsExactly(List.of(13L));
      PartitionSelection one =
          new PartitionSelection(PartitionSelection.Mode.ALL, null, null, List.of(third), 1);
      for (int attempt = 0; attempt < 2; attempt++) {
        RunResult result = run(workspace, select("daily", one, 0));
        assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
        assertThat(stepNames(result)).containsExactly("daily[" + third + "]");
        assertThat(
                rows(
                    workspace,
                    "select event_date::varchar, amount, events from curated.daily"
                        + " order by event_date"))
            .hasSize(5)
            .contains(List.of(third, new java.math.BigDecimal("306"), 5L))
            .contains(List.of(start.toString(), new java.math.BigDecimal("2"), 2L));
      }
    }
  }

  @Test
  void backfillBatchesConsecutivePartitionsAndSelectsMissingOrFailedOnes() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, select("app.events", PartitionSelection.DUE, 0)).succeeded())
          .isTrue();
      PartitionSelection backfill =
          PartitionSelection.days(
              PartitionSelection.Mode.ALL, start.plusDays(1), start.plusDays(5), List.of(), 2);
      RunResult result = run(workspace, select("daily", backfill, 2));
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(stepNames(result))
          .containsExactly(
              "daily[" + start.plusDays(1) + ".." + start.plusDays(2) + "]",
              "daily[" + start.plusDays(3) + ".." + start.plusDays(4) + "]");
      assertThat(rows(workspace, "select count(*) from curated.daily"))
          .containsExactly(List.of(4L));
      // each partition has its own data file, so one of a batch can be replaced alone
      PartitionSelection single =
          new PartitionSelection(
              PartitionSelection.Mode.ALL, null, null, List.of(start.plusDays(2).toString()), 1);
      assertThat(run(workspace, select("daily", single, 0)).succeeded()).isTrue();
      assertThat(rows(workspace, "select count(*) from curated.daily"))
          .containsExactly(List.of(4L));

      PartitionSelection missing =
          new PartitionSelection(PartitionSelection.Mode.MISSING, null, null, List.of(), 1);
      RunResult filled = run(workspace, select("daily", missing, 0));
      assertThat(stepNames(filled)).containsExactly("daily[" + start + "]");
      assertThat(rows(workspace, "select count(*) from curated.daily"))
          .containsExactly(List.of(5L));

      PartitionSelection failed =
          new PartitionSelection(PartitionSelection.Mode.FAILED, null, null, List.of(), 1);
      assertThat(new Runner(workspace).steps(select("daily", failed, 0))).isEmpty();
    }
  }

  @Test
  void aConcurrentBackfillOfANewTableCommitsEveryPartitionOnce() {
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, select("app.events", PartitionSelection.DUE, 0)).succeeded())
          .isTrue();
      // five steps of one partition each, four side by side: all find no table, one creates it
      PartitionSelection backfill =
          new PartitionSelection(PartitionSelection.Mode.ALL, null, null, List.of(), 1);
      RunResult result = run(workspace, select("daily", backfill, 4));
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(result.steps()).hasSize(5);
      assertThat(
              rows(
                  workspace,
                  "select event_date, amount, events from curated.daily order by event_date"))
          .containsExactly(
              List.of(start, new java.math.BigDecimal("2"), 2L),
              List.of(start.plusDays(1), new java.math.BigDecimal("4"), 2L),
              List.of(start.plusDays(2), new java.math.BigDecimal("6"), 2L),
              List.of(start.plusDays(3), new java.math.BigDecimal("8"), 2L),
              List.of(start.plusDays(4), new java.math.BigDecimal("10"), 2L));
      assertThat(
              workspace
                  .lake()
                  .loadTable(new dev.sluice.api.TableName("curated", "daily"))
                  .snapshots())
          .as("one commit per partition, none lost or repeated")
          .hasSize(5);
    }
  }

  @Test
  void rowsOutsideThePartitionFailTheStepAndCommitNothing() throws IOException {
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, sum(amount) as amount from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}'\n"
            + "group by event_date\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace, RunOptions.all());
      assertThat(result.succeeded()).isFalse();
      StepResult first =
          result.steps().stream()
              .filter(step -> step.asset().equals("daily[" + start + "]"))
              .findFirst()
              .orElseThrow();
      assertThat(first.error())
          .contains("returned 4 row(s) outside partition " + start)
          .contains("event_date in [" + start)
          .contains("nothing was written")
          .contains("< '{{ end }}'");
      // the last day's window holds all its rows: that partition is built, the others failed
      Map<String, PartitionState> states = workspace.runStore().partitions().partitions("daily");
      assertThat(states.get(start.plusDays(4).toString()).materialized()).isTrue();
      assertThat(states.get(start.toString()).status())
          .isEqualTo(dev.sluice.core.state.PartitionStatus.FAILED);
      assertThat(states.get(start.toString()).error()).contains("outside partition");
      assertThat(rows(workspace, "select count(*) from curated.daily"))
          .containsExactly(List.of(1L));

      write(
          project,
          "models/curated/daily.sql",
          "select event_date, sum(amount) as amount from {{ source('app', 'events') }}\n"
              + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
              + "group by event_date\n");
    }
    try (Workspace workspace = Workspace.open(project)) {
      PartitionSelection failed =
          new PartitionSelection(PartitionSelection.Mode.FAILED, null, null, List.of(), 1);
      RunResult retried = run(workspace, select("daily", failed, 0));
      assertThat(retried.succeeded()).as(String.valueOf(retried.steps())).isTrue();
      assertThat(retried.steps()).hasSize(4);
      assertThat(rows(workspace, "select count(*) from curated.daily"))
          .containsExactly(List.of(5L));
      assertThat(workspace.runStore().partitions().partitions("daily").values())
          .allMatch(state -> state.status() == dev.sluice.core.state.PartitionStatus.MATERIALIZED);
    }
  }

  @Test
  void multiDimensionalPartitionsAndChecksPerPartition() throws IOException {
    write(
        project,
        "models/curated/regional.sql",
        "select event_date, region, sum(amount) as amount,\n"
            + "  case when region = 'us' and event_date = DATE '"
            + start.plusDays(1)
            + "' then null else 1 end as flag\n"
            + "from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "  and region = '{{ partition.region }}'\n"
            + "group by all\n");
    write(
        project,
        "models/curated/regional.yaml",
        "models:\n"
            + "  - name: regional\n"
            + "    materialized: incremental_by_time_range\n"
            + "    columns:\n"
            + "      - name: flag\n"
            + "        checks: [not_null]\n"
            + "    partitions:\n"
            + "      - column: event_date\n"
            + "        grain: day\n"
            + "        start: "
            + start
            + "\n"
            + "      - column: region\n"
            + "        values: [eu, us]\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace, select("+regional", PartitionSelection.DUE, 0));
      assertThat(result.steps()).hasSize(11);
      String bad = "regional[" + start.plusDays(1) + "|us]";
      List<StepResult> failed =
          result.steps().stream().filter(step -> step.status() != StepStatus.SUCCEEDED).toList();
      assertThat(failed).extracting(StepResult::asset).containsExactly(bad);
      assertThat(failed.get(0).checks()).anyMatch(CheckOutcome::blocks);
      assertThat(rows(workspace, "select count(*), count(distinct region) from curated.regional"))
          .containsExactly(List.of(9L, 2L));
      RunDetail detail = workspace.runStore().runs().findRun(result.runId()).orElseThrow();
      StepDetail badStep =
          detail.steps().stream()
              .filter(step -> step.asset().equals(bad))
              .findFirst()
              .orElseThrow();
      assertThat(badStep.checks())
          .anyMatch(check -> check.status() == dev.sluice.core.state.CheckStatus.FAILED);
      assertThat(
              workspace
                  .runStore()
                  .partitions()
                  .partitions("regional")
                  .get(start.plusDays(1) + "|us")
                  .status())
          .isEqualTo(dev.sluice.core.state.PartitionStatus.FAILED);
    }
  }

  @Test
  void theIcebergTableIsPartitionedWhereIcebergsTransformsCutLikeTheWindows() throws IOException {
    write(
        project,
        "models/curated/regional.sql",
        "select event_date, region, sum(amount) as amount\n"
            + "from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "  and region = '{{ partition.region }}'\n"
            + "group by all\n");
    writeRegional("day");
    dev.sluice.api.TableName regional = new dev.sluice.api.TableName("curated", "regional");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace, select("+regional", PartitionSelection.DUE, 0));
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      org.apache.iceberg.Table table = workspace.lake().loadTable(regional);
      assertThat(table.spec().fields())
          .extracting(field -> field.name() + " " + field.transform())
          .containsExactly("event_date_day day", "region identity");
      List<String> partitions = new ArrayList<>();
      try (var tasks = table.newScan().planFiles()) {
        for (var task : tasks) {
          var partition = task.file().partition();
          LocalDate day = LocalDate.ofEpochDay(partition.get(0, Integer.class));
          partitions.add(day + "|" + partition.get(1, String.class));
          // every file holds exactly the rows of its partition
          assertThat(
                  rows(
                      workspace,
                      "select count(*) from curated.regional where event_date = DATE '"
                          + day
                          + "' and region = '"
                          + partition.get(1, String.class)
                          + "'"))
              .containsExactly(List.of(task.file().recordCount()));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      assertThat(partitions).hasSize(10).contains(start + "|eu", start.plusDays(4) + "|us");
      // a filter on the partition columns plans one file
      try (var tasks =
          table
              .newScan()
              .filter(
                  org.apache.iceberg.expressions.Expressions.and(
                      org.apache.iceberg.expressions.Expressions.equal("region", "us"),
                      org.apache.iceberg.expressions.Expressions.equal(
                          "event_date", start.plusDays(2).toString())))
              .planFiles()) {
        assertThat(tasks).hasSize(1);
      }

      // rebuilding one partition replaces its file by partition, and the others stay
      long before = table.currentSnapshot().snapshotId();
      PartitionSelection one =
          new PartitionSelection(
              PartitionSelection.Mode.ALL, null, null, List.of(start.plusDays(2) + "|us"), 1);
      assertThat(run(workspace, select("regional", one, 0)).succeeded()).isTrue();
      table.refresh();
      assertThat(table.currentSnapshot().parentId()).isEqualTo(before);
      assertThat(table.currentSnapshot().summary())
          .containsEntry("deleted-data-files", "1")
          .containsEntry("added-data-files", "1");
      assertThat(rows(workspace, "select count(*), sum(amount) from curated.regional"))
          .containsExactly(List.of(10L, new java.math.BigDecimal("30")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    // a model that is no longer partitioned writes unpartitioned files into the same table
    write(
        project,
        "models/curated/regional.yaml",
        "models:\n  - name: regional\n    materialized: table\n");
    write(
        project,
        "models/curated/regional.sql",
        "select event_date, region, sum(amount) as amount\n"
            + "from {{ source('app', 'events') }} group by all\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult rebuilt = run(workspace, select("regional", PartitionSelection.DUE, 0));
      assertThat(rebuilt.succeeded()).as(String.valueOf(rebuilt.steps())).isTrue();
      assertThat(workspace.lake().loadTable(regional).spec().isUnpartitioned()).isTrue();
      assertThat(rows(workspace, "select count(*), sum(amount) from curated.regional"))
          .containsExactly(List.of(10L, new java.math.BigDecimal("30")));
    }
  }

  private void writeRegional(String grain) throws IOException {
    write(
        project,
        "models/curated/regional.yaml",
        "models:\n"
            + "  - name: regional\n"
            + "    materialized: incremental_by_time_range\n"
            + "    partitions:\n"
            + "      - column: event_date\n"
            + "        grain: "
            + grain
            + "\n"
            + "        start: "
            + start
            + "\n"
            + "      - column: region\n"
            + "        values: [eu, us]\n");
  }

  @Test
  void unknownPartitionKeysAreRejectedWithTheReason() {
    try (Workspace workspace = Workspace.open(project)) {
      PartitionSelection wrong =
          new PartitionSelection(PartitionSelection.Mode.ALL, null, null, List.of("2024-13-01"), 1);
      assertThatThrownBy(() -> new Runner(workspace).steps(select("daily", wrong, 0)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("'2024-13-01' is not a day partition; write it like 2024-03-01");
    }
  }

  @Test
  void aChangedLayoutNeedsAFullRefreshWhichRebuildsAllPartitionsInOneCommit() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace, RunOptions.all());
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
    }
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n"
            + "  - name: daily\n"
            + "    materialized: incremental_by_time_range\n"
            + "    partitions:\n"
            + "      - column: event_date\n"
            + "        grain: day\n"
            + "        time_zone: Europe/Paris\n"
            + "        start: "
            + start
            + "\n");
    try (Workspace workspace = Workspace.open(project)) {
      PartitionSelection one =
          new PartitionSelection(
              PartitionSelection.Mode.ALL, null, null, List.of(start.toString()), 1);
      RunResult refused = run(workspace, select("daily", one, 0));
      assertThat(refused.steps().get(0).error())
          .contains("partitioned by event_date day Europe/Paris")
          .contains("built partitioned by event_date day UTC")
          .contains("--full-refresh");
      RunResult rebuilt =
          run(
              workspace,
              new RunOptions(List.of("daily"), List.of(), true, PartitionSelection.DUE, 0));
      assertThat(rebuilt.succeeded()).as(String.valueOf(rebuilt.steps())).isTrue();
      assertThat(stepNames(rebuilt)).containsExactly("daily[*]");
      assertThat(rows(workspace, "select count(*), sum(events) from curated.daily"))
          .containsExactly(List.of(5L, java.math.BigInteger.TEN));
      assertThat(run(workspace, select("daily", one, 0)).succeeded()).isTrue();
    }
  }

  @Test
  void aColumnWhoseTypeChangedIsRebuiltByAFullRefresh() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace, RunOptions.all()).succeeded()).isTrue();
    }
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, 'n' || sum(amount) as amount, count(*) as events\n"
            + "from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n");
    try (Workspace workspace = Workspace.open(project)) {
      PartitionSelection one =
          new PartitionSelection(
              PartitionSelection.Mode.ALL, null, null, List.of(start.toString()), 1);
      RunResult refused = run(workspace, select("daily", one, 0));
      assertThat(refused.steps().get(0).error())
          .contains("Column 'amount'")
          .contains("rebuild the table with --full-refresh");
      RunResult rebuilt =
          run(
              workspace,
              new RunOptions(List.of("daily"), List.of(), true, PartitionSelection.DUE, 0));
      assertThat(rebuilt.succeeded()).as(String.valueOf(rebuilt.steps())).isTrue();
      assertThat(
              workspace
                  .lake()
                  .loadTable(new dev.sluice.api.TableName("curated", "daily"))
                  .schema()
                  .findField("amount")
                  .type())
          .isEqualTo(org.apache.iceberg.types.Types.StringType.get());
      assertThat(rows(workspace, "select amount from curated.daily order by event_date limit 1"))
          .containsExactly(List.of("n2"));
    }
  }
}
