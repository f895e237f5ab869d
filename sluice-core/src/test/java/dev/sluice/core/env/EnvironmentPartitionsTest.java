package dev.sluice.core.env;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.PartitionState;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A changed partitioned model ({@code incremental_by_time_range}) in an environment: only the
 * partitions asked for are built into its branch, the others are main's files read through it (no
 * copy); without partitions its history is rebuilt into the branch; production's data and partition
 * states are untouched until promotion. Real DuckDB, Iceberg on SQLite.
 */
class EnvironmentPartitionsTest {
  private static final TableName DAILY = new TableName("curated", "daily");

  @TempDir Path project;

  private final LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(5);

  @BeforeEach
  void productionIsBuilt() throws IOException {
    write(project, "sluice.yaml", "name: partitions\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: full\n");
    StringBuilder csv = new StringBuilder("event_date,region,amount\n");
    for (int day = 0; day < 5; day++) {
      for (String region : List.of("eu", "us")) {
        csv.append(start.plusDays(day)).append(',').append(region).append(',').append(day + 1);
        csv.append('\n');
      }
    }
    write(project, "data/events.csv", csv.toString());
    daily("sum(amount)");
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
    write(
        project,
        "models/published/total.sql",
        "select sum(amount) as amount from {{ ref('daily') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();
    }
  }

  private void daily(String amount) throws IOException {
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, "
            + amount
            + " as amount from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n");
  }

  private static long value(Workspace workspace, String sql, ReadPoint point) {
    return ((Number) new QueryService(workspace).query(sql, point, 10).rows().get(0).get(0))
        .longValue();
  }

  private static Set<String> shared(Workspace workspace, String environment) {
    Set<String> files =
        new HashSet<>(workspace.lake().scan(DAILY, ReadPoint.environment(environment)).dataFiles());
    files.retainAll(workspace.lake().scan(DAILY, ReadPoint.main()).dataFiles());
    return files;
  }

  @Test
  void onlyThePartitionsAskedForAreBuiltTheRestIsReadFromMainAndPromotionMovesThem()
      throws IOException {
    daily("sum(amount) * 10");
    String day = start.plusDays(2).toString();
    try (Workspace workspace = Workspace.open(project)) {
      Map<String, PartitionState> before = workspace.runStore().partitions().partitions("daily");

      // the plan offers forward-only vs rebuilding the 5 partitions built so far
      ModelChange change =
          new ChangePlanner(workspace)
              .plan(null).stream()
                  .filter(each -> each.model().equals("daily"))
                  .findFirst()
                  .orElseThrow();
      assertThat(change.history().partitions()).isEqualTo(5);
      assertThat(change.history().rebuild()).contains("rebuilds 5 partitions");

      // forward-only in an environment: one partition, the other four are main's files
      Environments.Build build =
          new Environments(workspace)
              .build(
                  "dev",
                  new RunOptions(
                      List.of(),
                      List.of(),
                      false,
                      new PartitionSelection(
                          PartitionSelection.Mode.ALL, null, null, List.of(day), 1),
                      0),
                  RunListener.NONE);
      assertThat(build.succeeded()).as(String.valueOf(build.run())).isTrue();
      assertThat(build.changes())
          .extracting(Environments.Change::model)
          .containsExactly("daily", "total");
      assertThat(build.run().steps())
          .extracting(step -> step.asset())
          .containsExactly("daily[" + day + "]", "total");
      ReadPoint dev = ReadPoint.environment("dev");
      String ofDay = "select amount from curated.daily where event_date = '";
      assertThat(value(workspace, ofDay + day + "'", dev)).isEqualTo(60);
      assertThat(value(workspace, ofDay + start + "'", dev)).isEqualTo(2);
      assertThat(value(workspace, "select amount from published.total", dev))
          .isEqualTo(2 + 4 + 60 + 8 + 10);
      assertThat(shared(workspace, "dev")).hasSize(4);
      // production: its data and its partition states are as they were
      assertThat(value(workspace, ofDay + day + "'", ReadPoint.main())).isEqualTo(6);
      assertThat(value(workspace, "select amount from published.total", ReadPoint.main()))
          .isEqualTo(30);
      assertThat(workspace.runStore().partitions().partitions("daily")).isEqualTo(before);

      // without partitions, the environment rebuilds the history into its branch
      Environments.Build full =
          new Environments(workspace).build("full", RunOptions.all(), RunListener.NONE);
      assertThat(full.succeeded()).isTrue();
      assertThat(
              value(
                  workspace,
                  "select sum(amount) from curated.daily",
                  ReadPoint.environment("full")))
          .isEqualTo(300);
      assertThat(shared(workspace, "full")).isEmpty();
      new Environments(workspace).drop("full");

      // promotion: production's table moves to the environment's snapshot
      assertThat(new Promotions(workspace).promote("dev", RunListener.NONE).succeeded()).isTrue();
      assertThat(value(workspace, ofDay + day + "'", ReadPoint.main())).isEqualTo(60);
      assertThat(value(workspace, ofDay + start + "'", ReadPoint.main())).isEqualTo(2);
      assertThat(value(workspace, "select amount from published.total", ReadPoint.main()))
          .isEqualTo(84);
    }
  }

  @Test
  void aDiffOfARebuiltTableComparesRowByRowOnlyThePartitionThatChanged() throws IOException {
    String day = start.plusDays(2).toString();
    daily("sum(amount) + (event_date = DATE '" + day + "')::int");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(
              new Environments(workspace)
                  .build("dev", RunOptions.all(), RunListener.NONE)
                  .succeeded())
          .isTrue();
      DataDiff.Result keyed = new DataDiff(workspace).diff(DAILY, "dev", List.of("event_date"));
      // rebuilt in full: no file is shared, four partitions hash alike, one is compared
      assertThat(keyed.sharedFiles()).isZero();
      assertThat(keyed.samePartitions()).isEqualTo(4);
      assertThat(keyed.comparedFiles()).isEqualTo(2);
      assertThat(keyed.changed()).isEqualTo(1);
      assertThat(keyed.changedByColumn()).containsEntry("amount", 1L);
      assertThat(keyed.productionRows()).isEqualTo(5);
      DataDiff.Result rows = new DataDiff(workspace).diff(DAILY, "dev", List.of());
      assertThat(rows.comparedFiles()).isEqualTo(2);
      assertThat(rows.onlyInProduction()).isEqualTo(1);
      assertThat(rows.onlyInEnvironment()).isEqualTo(1);
    }
  }
}
