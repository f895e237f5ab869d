package dev.sluice.engine.spark;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.ModelCompiler;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project that mixes engines: DuckDB is the project's engine, one model chooses Spark ({@code
 * config(engine='spark')}) and reaches the suite's Spark Connect server through the {@code spark:}
 * section of sluice.yaml. Its output is read by a DuckDB model; its checks run on Spark and a
 * failing one leaves the published table as it was; {@code validate} compiles it on Spark.
 */
class SparkProjectTest {
  private static final TableName BY_CUSTOMER = new TableName("curated", "by_customer");

  @TempDir Path project;

  @Test
  void aSparkModelBetweenDuckDbModelsBuildsChecksAndPublishes() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      assertThat(workspace.engine().name()).isEqualTo("duckdb");
      assertThat(workspace.engine("spark").name()).isEqualTo("spark");
      assertThat(rows(workspace, "select customer, total, orders from curated.by_customer"))
          .containsExactlyInAnyOrder(List.of("ann", "35", "2"), List.of("bob", "7", "1"));
      assertThat(rows(workspace, "select customer, tier from curated.tiers"))
          .containsExactlyInAnyOrder(List.of("ann", "gold"), List.of("bob", "silver"));
      long published = workspace.lake().loadTable(BY_CUSTOMER).currentSnapshot().snapshotId();

      // the same model now repeats a customer: its unique check, run on Spark, blocks publishing
      write(
          project,
          "models/by_customer.sql",
          """
          {{ config(engine='spark') }}
          select customer, sum(amount) as total, count(*) as orders
          from {{ ref('orders') }} group by customer, id
          """);
      RunResult blocked;
      try (Workspace changed = Workspace.open(project)) {
        blocked = run(changed);
        StepResult step = step(blocked, "by_customer");
        assertThat(step.status()).isEqualTo(StepStatus.FAILED);
        assertThat(step.error()).contains("unique");
        assertThat(step(blocked, "tiers").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(changed.lake().loadTable(BY_CUSTOMER).currentSnapshot().snapshotId())
            .as("main still points at the last published snapshot")
            .isEqualTo(published);
        assertThat(rows(changed, "select count(*) from curated.by_customer"))
            .containsExactly(List.of("2"));
      }
    }
  }

  @Test
  void anIncrementalSparkModelMergesOnlyTheDataFilesHoldingItsKeys() throws Exception {
    writeProject();
    write(
        project,
        "seeds/changes.csv",
        "id,customer,amount,version\n1,ann,30,1\n2,ann,5,1\n3,bob,7,1\n");
    write(
        project,
        "models/latest.sql",
        """
        {{ config(engine='spark', materialized='incremental', unique_key='id') }}
        select id, customer, amount, version from {{ ref('changes') }}
        {% if is_incremental() %}
        where version > (select max(version) from {{ this }})
        {% endif %}
        """);
    TableName latest = new TableName("curated", "latest");
    List<String> firstFiles;
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      firstFiles = dataFiles(workspace, latest);
      assertThat(firstFiles).hasSize(1);
    }
    // new keys only: their file is added, the first file is not touched
    write(
        project,
        "seeds/changes.csv",
        "id,customer,amount,version\n1,ann,30,1\n2,ann,5,1\n3,bob,7,1\n4,cy,1,2\n5,dee,2,2\n");
    List<String> secondFiles;
    try (Workspace workspace = Workspace.open(project)) {
      RunResult second = run(workspace);
      assertThat(second.succeeded()).as(String.valueOf(second.steps())).isTrue();
      assertThat(step(second, "latest").detail())
          .contains("merged 2 new or changed rows on id (rewrote 0 data files");
      secondFiles = dataFiles(workspace, latest);
      assertThat(secondFiles).hasSize(2).containsAll(firstFiles);
    }
    // order 2 changes and order 6 is new: only the first file (keys 1 to 3) is rewritten
    write(
        project,
        "seeds/changes.csv",
        "id,customer,amount,version\n1,ann,30,1\n2,ann,6,3\n3,bob,7,1\n4,cy,1,2\n5,dee,2,2\n"
            + "6,eve,9,3\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult third = run(workspace);
      assertThat(third.succeeded()).as(String.valueOf(third.steps())).isTrue();
      assertThat(step(third, "latest").detail())
          .contains("merged 2 new or changed rows on id (rewrote 1 data file");
      assertThat(rows(workspace, "select id, customer, amount, version from curated.latest"))
          .containsExactlyInAnyOrder(
              List.of("1", "ann", "30", "1"),
              List.of("2", "ann", "6", "3"),
              List.of("3", "bob", "7", "1"),
              List.of("4", "cy", "1", "2"),
              List.of("5", "dee", "2", "2"),
              List.of("6", "eve", "9", "3"));
      List<String> thirdFiles = dataFiles(workspace, latest);
      List<String> untouched = new ArrayList<>(secondFiles);
      untouched.removeAll(firstFiles);
      assertThat(thirdFiles)
          .as("the file of keys 4 and 5 is kept, the file of keys 1 to 3 replaced")
          .hasSize(2)
          .containsAll(untouched)
          .doesNotContainAnyElementsOf(firstFiles);
      org.apache.iceberg.Snapshot snapshot = workspace.lake().loadTable(latest).currentSnapshot();
      assertThat(snapshot.summary())
          .as("one commit of Sluice's: the merge's files and the step's properties")
          .containsEntry("sluice.run-id", third.runId())
          .containsEntry("deleted-data-files", "1")
          .containsEntry("added-data-files", "1")
          .containsKey(dev.sluice.lake.CarriedState.MODEL_FINGERPRINT);
    }
  }

  /**
   * With the catalog on PostgreSQL, Spark's sessions reach it and an incremental Spark model merges
   * with Iceberg's MERGE INTO (copy-on-write) into a branch of the step's own, whose files Sluice
   * commits as one snapshot on the audit branch with the step's properties, checks and publishes;
   * the same model on DuckDB (Sluice's own merge) gives the same rows. A check failing after the
   * merge leaves main untouched, and the next run merges those rows once.
   */
  @Test
  void anIncrementalSparkModelMergesWithIcebergsMergeIntoWhenSparkSharesTheCatalog()
      throws Exception {
    try (PostgresDatabase catalog = TestPostgres.newDatabase()) {
      writeProject();
      write(project, "secrets/catalog-user", catalog.user() + "\n");
      write(project, "secrets/catalog-password", catalog.password() + "\n");
      write(
          project,
          "sluice.yaml",
          """
          name: merges
          catalog:
            url: %s
            user: ${file:secrets/catalog-user}
            password: ${file:secrets/catalog-password}
          spark:
            remote: "%s"
          """
              .formatted(catalog.jdbcUrl(), SparkConnectTestServer.shared().remote()));
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,5,1\n3,bob,7,1\n4,cy,1,1\n");
      String latest =
          """
          select id, customer, amount, version from {{ ref('changes') }}
          {% if is_incremental() %}
          where version > (select max(version) from {{ this }})
          {% endif %}
          """;
      write(
          project,
          "models/latest.sql",
          "{{ config(engine='spark', materialized='incremental', unique_key='id') }}\n" + latest);
      write(
          project,
          "models/latest_duckdb.sql",
          "{{ config(materialized='incremental', unique_key='id') }}\n" + latest);
      write(
          project,
          "models/latest.yaml",
          """
          models:
            - name: latest
              columns:
                - name: amount
                  checks:
                    - expression: {expression: "amount >= 0"}
            - name: latest_duckdb
              columns:
                - name: amount
                  checks:
                    - expression: {expression: "amount >= 0"}
          """);
      TableName table = new TableName("curated", "latest");
      try (Workspace workspace = Workspace.open(project)) {
        RunResult first = run(workspace);
        assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      }
      // key 2 changes, key 5 is new; key 3 changes to a negative amount: the check blocks
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,6,2\n3,bob,-7,2\n4,cy,1,1\n"
              + "5,dee,2,2\n");
      long published;
      try (Workspace workspace = Workspace.open(project)) {
        published = workspace.lake().loadTable(table).currentSnapshot().snapshotId();
        RunResult blocked = run(workspace);
        assertThat(step(blocked, "latest").status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(blocked, "latest").error()).contains("expression(amount): 1 failing rows");
        org.apache.iceberg.Table iceberg = workspace.lake().loadTable(table);
        assertThat(iceberg.snapshots())
            .as("Spark's MERGE INTO committed on the step's own branch")
            .anySatisfy(snapshot -> assertThat(snapshot.summary()).containsKey("spark.app.id"));
        assertThat(iceberg.currentSnapshot().snapshotId())
            .as("main still points at the last published snapshot")
            .isEqualTo(published);
        assertThat(iceberg.refs().keySet())
            .as("the audit branch and the merge's own branch are gone")
            .containsExactly("main");
      }
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,6,2\n3,bob,7,2\n4,cy,1,1\n"
              + "5,dee,2,2\n");
      try (Workspace workspace = Workspace.open(project)) {
        RunResult merged = run(workspace);
        assertThat(merged.succeeded()).as(String.valueOf(merged.steps())).isTrue();
        assertThat(step(merged, "latest").detail())
            .contains("merged 3 new or changed rows on id with Iceberg's MERGE INTO")
            .contains("(rewrote 1 data file");
        assertThat(step(merged, "latest_duckdb").detail())
            .as("DuckDB merges as before")
            .contains("merged 3 new or changed rows on id (rewrote 1 data file");
        List<List<String>> spark =
            rows(workspace, "select id, customer, amount, version from curated.latest");
        assertThat(spark)
            .containsExactlyInAnyOrder(
                List.of("1", "ann", "30", "1"),
                List.of("2", "ann", "6", "2"),
                List.of("3", "bob", "7", "2"),
                List.of("4", "cy", "1", "1"),
                List.of("5", "dee", "2", "2"));
        assertThat(spark)
            .as("the same rows as DuckDB's merge")
            .containsExactlyInAnyOrderElementsOf(
                rows(workspace, "select id, customer, amount, version from curated.latest_duckdb"));
        org.apache.iceberg.Table iceberg = workspace.lake().loadTable(table);
        org.apache.iceberg.Snapshot snapshot = iceberg.currentSnapshot();
        assertThat(snapshot.parentId())
            .as("one snapshot of Sluice's on main for the step")
            .isEqualTo(published);
        assertThat(snapshot.summary())
            .containsEntry("sluice.run-id", merged.runId())
            .containsEntry("deleted-data-files", "1")
            .containsEntry("added-data-files", "1")
            .containsKey(dev.sluice.lake.CarriedState.MODEL_FINGERPRINT);
        assertThat(iceberg.refs().keySet()).containsExactly("main");
      }

      // a column added (append_new_columns): the table takes it, then Spark merges into it
      String withTier =
          """
          select id, customer, amount, version,
            case when amount >= 10 then 'big' else 'small' end as tier
          from {{ ref('changes') }}
          {% if is_incremental() %}
          where version > (select max(version) from {{ this }})
          {% endif %}
          """;
      mergeModels(withTier, "append_new_columns");
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,16,3\n3,bob,7,2\n4,cy,1,1\n"
              + "5,dee,2,2\n");
      try (Workspace workspace = Workspace.open(project)) {
        RunResult appended = run(workspace);
        assertThat(appended.succeeded()).as(String.valueOf(appended.steps())).isTrue();
        assertThat(step(appended, "latest").detail())
            .contains("merged 1 new or changed rows on id with Iceberg's MERGE INTO")
            .contains("schema: added tier");
        List<List<String>> spark =
            rows(workspace, "select id, customer, amount, version, tier from curated.latest");
        assertThat(spark)
            .contains(List.of("2", "ann", "16", "3", "big"), List.of("1", "ann", "30", "1", "null"))
            .containsExactlyInAnyOrderElementsOf(
                rows(
                    workspace,
                    "select id, customer, amount, version, tier from curated.latest_duckdb"));
      }

      // a column removed, the others kept (sync_all_columns): merged in place as well
      String withoutCustomer =
          """
          select id, amount, version,
            case when amount >= 10 then 'big' else 'small' end as tier
          from {{ ref('changes') }}
          {% if is_incremental() %}
          where version > (select max(version) from {{ this }})
          {% endif %}
          """;
      mergeModels(withoutCustomer, "sync_all_columns");
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,16,3\n3,bob,7,2\n4,cy,1,1\n"
              + "5,dee,2,2\n6,eve,60,4\n");
      try (Workspace workspace = Workspace.open(project)) {
        RunResult synced = run(workspace);
        assertThat(synced.succeeded()).as(String.valueOf(synced.steps())).isTrue();
        assertThat(step(synced, "latest").detail())
            .contains("merged 1 new or changed rows on id with Iceberg's MERGE INTO")
            .contains("schema synced");
        assertThat(
                workspace.lake().loadTable(table).schema().columns().stream()
                    .map(org.apache.iceberg.types.Types.NestedField::name)
                    .toList())
            .containsExactly("id", "amount", "version", "tier");
        assertThat(rows(workspace, "select id, amount, version, tier from curated.latest"))
            .hasSize(6)
            .contains(List.of("6", "60", "4", "big"))
            .containsExactlyInAnyOrderElementsOf(
                rows(workspace, "select id, amount, version, tier from curated.latest_duckdb"));
        assertThat(workspace.lake().loadTable(table).refs().keySet()).containsExactly("main");

        // an administrator partitions both tables (by tier): Spark still merges with MERGE INTO,
        // writing the rewritten rows into their partitions, with the rows of DuckDB's merge
        for (String name : List.of("latest", "latest_duckdb")) {
          workspace
              .lake()
              .loadTable(new TableName("curated", name))
              .updateSpec()
              .addField("tier")
              .commit();
        }
      }
      write(
          project,
          "seeds/changes.csv",
          "id,customer,amount,version\n1,ann,30,1\n2,ann,16,3\n3,bob,70,5\n4,cy,1,1\n"
              + "5,dee,2,2\n6,eve,60,4\n7,fay,3,5\n");
      try (Workspace workspace = Workspace.open(project)) {
        RunResult partitioned = run(workspace);
        assertThat(partitioned.succeeded()).as(String.valueOf(partitioned.steps())).isTrue();
        assertThat(step(partitioned, "latest").detail())
            .contains("merged 2 new or changed rows on id with Iceberg's MERGE INTO");
        assertThat(rows(workspace, "select id, amount, version, tier from curated.latest"))
            .hasSize(7)
            .contains(List.of("3", "70", "5", "big"), List.of("7", "3", "5", "small"))
            .containsExactlyInAnyOrderElementsOf(
                rows(workspace, "select id, amount, version, tier from curated.latest_duckdb"));
        org.apache.iceberg.Table iceberg = workspace.lake().loadTable(table);
        List<String> tiers = new ArrayList<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
            iceberg.newScan().planFiles()) {
          for (org.apache.iceberg.FileScanTask task : tasks) {
            if (task.file().specId() == iceberg.spec().specId()) {
              tiers.add(task.file().partition().get(0, String.class));
            }
          }
        }
        assertThat(tiers).as("the tiers of the files Spark wrote in the new spec").contains("big");
        assertThat(iceberg.currentSnapshot().summary())
            .containsEntry("sluice.run-id", partitioned.runId());
        assertThat(iceberg.refs().keySet()).containsExactly("main");
      }
    }
  }

  /** Both incremental models (Spark's and DuckDB's) as {@code sql}, with {@code onSchemaChange}. */
  private void mergeModels(String sql, String onSchemaChange) throws IOException {
    String config =
        "materialized='incremental', unique_key='id', on_schema_change='" + onSchemaChange + "'";
    write(project, "models/latest.sql", "{{ config(engine='spark', " + config + ") }}\n" + sql);
    write(project, "models/latest_duckdb.sql", "{{ config(" + config + ") }}\n" + sql);
  }

  @Test
  void aPartitionedSparkModelBuildsItsPartitionsAndBackfillsABatchInOneStep() throws Exception {
    writeProject();
    write(
        project,
        "models/daily.sql",
        """
        {{ config(engine='spark') }}
        select day, sum(amount) as amount, count(*) as orders from {{ ref('orders') }}
        where day >= '{{ start }}' and day < '{{ end }}'
        group by day
        """);
    write(
        project,
        "models/daily.yaml",
        """
        models:
          - name: daily
            materialized: incremental_by_time_range
            partitions:
              - {column: day, grain: day, start: 2026-11-30}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first =
          new Runner(workspace)
              .run(
                  new RunOptions(
                      List.of("orders", "daily"),
                      List.of(),
                      false,
                      PartitionSelection.days(
                          PartitionSelection.Mode.ALL,
                          LocalDate.parse("2026-11-30"),
                          LocalDate.parse("2026-12-03"),
                          List.of(),
                          3),
                      1),
                  RunListener.NONE);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      assertThat(first.steps())
          .extracting(StepResult::asset)
          .containsExactly("orders", "daily[2026-11-30..2026-12-02]");
      assertThat(rows(workspace, "select cast(day as varchar), amount, orders from curated.daily"))
          .containsExactlyInAnyOrder(
              List.of("2026-12-01", "30", "1"), List.of("2026-12-02", "12", "2"));
    }
  }

  /**
   * A Spark model partitioned by day on a {@code timestamptz} column: backfilled three days in one
   * step, then one day again, which replaces that day's file only. An environment whose rows differ
   * on two of the days is then diffed on Spark (the project's engine) by its partitions' hashes
   * first, keyed and whole-row.
   */
  @Test
  void aTimestamptzPartitionedSparkModelBackfillsExactlyItsPartitionsAndDiffsByThem()
      throws Exception {
    LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
    LocalDate first = today.minusDays(3);
    LocalDate second = today.minusDays(2);
    LocalDate third = today.minusDays(1);
    write(
        project,
        "sluice.yaml",
        "name: timed\nspark:\n  remote: \"" + SparkConnectTestServer.shared().remote() + "\"\n");
    events(first, second, third, today, 10, 20);
    timedModel("amount");
    write(
        project,
        "models/timed.yaml",
        "models:\n  - name: timed\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: at, grain: day, start: "
            + first
            + "}\n");
    TableName timed = new TableName("curated", "timed");
    java.util.Map<String, String> filesBefore;
    try (Workspace workspace = Workspace.open(project)) {
      RunResult backfill = backfill(workspace, first, today, 3);
      assertThat(backfill.succeeded()).as(String.valueOf(backfill.steps())).isTrue();
      assertThat(backfill.steps())
          .extracting(StepResult::asset)
          .containsExactly("events", "timed[" + first + ".." + third + "]");
      org.apache.iceberg.Table table = workspace.lake().loadTable(timed);
      assertThat(table.schema().findField("at").type())
          .isEqualTo(org.apache.iceberg.types.Types.TimestampType.withZone());
      assertThat(table.spec().fields())
          .singleElement()
          .satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
      assertThat(rows(workspace, "select id, amount from curated.timed"))
          .containsExactlyInAnyOrder(
              List.of("1", "10"), List.of("2", "20"), List.of("3", "5"), List.of("4", "7"));
      filesBefore = filesByPartition(workspace, timed);
      assertThat(filesBefore).hasSize(3);
    }
    // the source changes on two days; a backfill of the second day replaces its rows only
    events(first, second, third, today, 11, 21);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult again = backfill(workspace, second, third, 1);
      assertThat(again.succeeded()).as(String.valueOf(again.steps())).isTrue();
      assertThat(rows(workspace, "select id, amount from curated.timed"))
          .containsExactlyInAnyOrder(
              List.of("1", "10"), List.of("2", "21"), List.of("3", "5"), List.of("4", "7"));
      java.util.Map<String, String> filesAfter = filesByPartition(workspace, timed);
      assertThat(filesAfter).hasSize(3);
      String secondDay = "at_day=" + second;
      assertThat(filesAfter.get(secondDay)).isNotEqualTo(filesBefore.get(secondDay));
      filesAfter.remove(secondDay);
      filesBefore.remove(secondDay);
      assertThat(filesAfter).as("the other days' files are kept").isEqualTo(filesBefore);
      assertThat(workspace.lake().loadTable(timed).currentSnapshot().summary())
          .containsEntry("deleted-data-files", "1")
          .containsEntry("added-data-files", "1");
      // an environment changes id 3's amount (the second day): rebuilt in full into its branch
      timedModel("case when id = 3 then amount + 1 else amount end");
    }
    try (Workspace workspace = Workspace.open(project)) {
      dev.sluice.core.env.Environments.Build build =
          new dev.sluice.core.env.Environments(workspace)
              .build("dev", RunOptions.all(), RunListener.NONE);
      assertThat(build.succeeded()).as(String.valueOf(build.run())).isTrue();
    }
    java.nio.file.Path configuration = project.resolve("sluice.yaml");
    java.nio.file.Files.writeString(
        configuration, "engine: spark\n" + java.nio.file.Files.readString(configuration));
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.engine().name()).isEqualTo("spark");
      dev.sluice.core.env.DataDiff.Result keyed =
          new dev.sluice.core.env.DataDiff(workspace).diff(timed, "dev", List.of("id"));
      // no file shared (the history was rebuilt): the third day hashes alike; the first day
      // (id 1's new amount, which production's backfill of the second day did not take) and the
      // second (id 3) are compared row by row
      assertThat(keyed.sharedFiles()).isZero();
      assertThat(keyed.samePartitions()).isEqualTo(1);
      assertThat(keyed.comparedFiles()).isEqualTo(4);
      assertThat(keyed.productionRows()).isEqualTo(4);
      assertThat(keyed.onlyInProduction()).isZero();
      assertThat(keyed.onlyInEnvironment()).isZero();
      assertThat(keyed.changed()).isEqualTo(2);
      assertThat(keyed.changedByColumn()).containsEntry("amount", 2L);
      assertThat(keyed.sample().rows())
          .extracting(row -> row.subList(0, 3))
          .containsExactly(List.of(1L, 10L, 11L), List.of(3L, 5L, 6L));
      dev.sluice.core.env.DataDiff.Result whole =
          new dev.sluice.core.env.DataDiff(workspace).diff(timed, "dev", List.of());
      assertThat(whole.samePartitions()).isEqualTo(1);
      assertThat(whole.comparedFiles()).isEqualTo(4);
      assertThat(whole.onlyInProduction()).isEqualTo(2);
      assertThat(whole.onlyInEnvironment()).isEqualTo(2);
      assertThat(whole.changed()).isNull();
      assertThat(whole.sample().rows())
          .extracting(row -> row.subList(0, 2))
          .containsExactlyInAnyOrder(List.of(1L, 11L), List.of(3L, 6L));
    }
  }

  /**
   * Events on three days (and one today, outside every complete day), with ids 1 and 2's amounts.
   */
  private void events(
      LocalDate first, LocalDate second, LocalDate third, LocalDate today, int one, int two)
      throws IOException {
    write(
        project,
        "seeds/events.csv",
        "id,amount,day,hour\n1,"
            + one
            + ","
            + first
            + ",5\n2,"
            + two
            + ","
            + second
            + ",23\n3,5,"
            + second
            + ",0\n4,7,"
            + third
            + ",12\n5,9,"
            + today
            + ",1\n");
  }

  /** The Spark model of the events' instants (a {@code timestamptz}), with {@code amount}. */
  private void timedModel(String amount) throws IOException {
    write(
        project,
        "models/timed.sql",
        "{{ config(engine='spark') }}\nselect id, "
            + amount
            + " as amount, at from (select id, amount, cast(concat(cast(day as string), ' ',"
            + " lpad(cast(hour as string), 2, '0'), ':00:00+00:00') as timestamp) as at from"
            + " {{ ref('events') }}) as timed\n"
            + "where at >= '{{ start_ts }}' and at < '{{ end_ts }}'\n");
  }

  private static RunResult backfill(
      Workspace workspace, LocalDate from, LocalDate to, int batchSize) {
    return new Runner(workspace)
        .run(
            new RunOptions(
                List.of("events", "timed"),
                List.of(),
                false,
                PartitionSelection.days(
                    PartitionSelection.Mode.ALL, from, to, List.of(), batchSize),
                1),
            RunListener.NONE);
  }

  /** Each data file of the table by its partition's path ({@code at_day=2026-12-04}). */
  private static java.util.Map<String, String> filesByPartition(
      Workspace workspace, TableName table) throws IOException {
    java.util.Map<String, String> files = new java.util.TreeMap<>();
    org.apache.iceberg.Table loaded = workspace.lake().loadTable(table);
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        loaded.newScan().planFiles()) {
      for (org.apache.iceberg.FileScanTask task : tasks) {
        String partition = loaded.spec().partitionToPath(task.file().partition());
        assertThat(files.put(partition, task.file().location()))
            .as("one file per partition")
            .isNull();
      }
    }
    return files;
  }

  @Test
  void validateCompilesASparkModelOnSparkAndNamesAFunctionSparkDoesNotHave() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
    }
    // strftime is DuckDB's; Spark has date_format
    write(
        project,
        "models/by_customer.sql",
        """
        {{ config(engine='spark') }}
        select customer, sum(amount) as total, count(*) as orders,
               max(strftime(day, '%Y')) as year
        from {{ ref('orders') }} group by customer
        """);
    Project changed = Project.load(project);
    try (Workspace workspace = Workspace.open(changed)) {
      assertThatThrownBy(() -> ModelCompiler.compile(changed, workspace.lake(), workspace::engine))
          .isInstanceOf(ProjectException.class)
          .hasMessageContaining("models/by_customer.sql")
          .hasMessageContaining("does not compile on engine spark")
          .hasMessageContaining("strftime");
      // the DuckDB models compile on DuckDB, where strftime exists
      write(
          project,
          "models/by_customer.sql",
          "select customer, max(strftime(day, '%Y')) as year from {{ ref('orders') }}"
              + " group by customer\n");
    }
    Project onDuckDb = Project.load(project);
    try (Workspace workspace = Workspace.open(onDuckDb)) {
      assertThatThrownBy(() -> ModelCompiler.compile(onDuckDb, workspace.lake(), workspace::engine))
          .as("tiers reads columns by_customer no longer has")
          .isInstanceOf(ProjectException.class)
          .hasMessageContaining("models/tiers.sql")
          .hasMessageContaining("on engine duckdb")
          .hasMessageNotContaining("by_customer.sql");
    }
  }

  @Test
  void aMixedProjectKeepsItsCatalogAndRunStateInPostgres() throws Exception {
    try (PostgresDatabase catalog = TestPostgres.newDatabase();
        PostgresDatabase state = TestPostgres.newDatabase()) {
      writeProject();
      write(project, "secrets/catalog-user", catalog.user() + "\n");
      write(project, "secrets/catalog-password", catalog.password() + "\n");
      write(project, "secrets/state-user", state.user() + "\n");
      write(project, "secrets/state-password", state.password() + "\n");
      write(
          project,
          "sluice.yaml",
          """
          name: mixed
          catalog:
            url: %s
            user: ${file:secrets/catalog-user}
            password: ${file:secrets/catalog-password}
          state:
            url: %s
            user: ${file:secrets/state-user}
            password: ${file:secrets/state-password}
          spark:
            remote: "%s"
          """
              .formatted(
                  catalog.jdbcUrl(), state.jdbcUrl(), SparkConnectTestServer.shared().remote()));
      try (Workspace workspace = Workspace.open(project)) {
        RunResult first = run(workspace);
        assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
        assertThat(rows(workspace, "select customer, tier from curated.tiers"))
            .containsExactlyInAnyOrder(List.of("ann", "gold"), List.of("bob", "silver"));
        assertThat(
                workspace.runStore().runs().findRun(first.runId()).orElseThrow().steps().stream()
                    .map(step -> step.asset())
                    .toList())
            .containsExactlyInAnyOrder("orders", "by_customer", "tiers");
      }
      try (Connection connection =
              DriverManager.getConnection(catalog.jdbcUrl(), catalog.user(), catalog.password());
          ResultSet tables =
              connection
                  .createStatement()
                  .executeQuery(
                      "SELECT table_namespace || '.' || table_name FROM iceberg_tables ORDER BY 1")) {
        List<String> names = new ArrayList<>();
        while (tables.next()) {
          names.add(tables.getString(1));
        }
        assertThat(names).containsExactly("curated.by_customer", "curated.orders", "curated.tiers");
      }
    }
  }

  @Test
  void aTargetNamesItsOwnSparkServer() throws Exception {
    writeProject();
    write(
        project,
        "sluice.yaml",
        """
        name: mixed
        default_target: dev
        spark:
          remote: "sc://127.0.0.1:1"
        targets:
          dev: {}
          ci:
            spark:
              remote: "%s"
        """
            .formatted(SparkConnectTestServer.shared().remote()));
    Project onCi = Project.load(project, "ci");
    assertThat(onCi.config().engine().settings("spark").option("remote"))
        .contains(SparkConnectTestServer.shared().remote());
    try (Workspace workspace = Workspace.open(onCi)) {
      RunResult run = run(workspace);
      assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();
    }
    assertThat(Project.load(project).config().engine().settings("spark").option("remote"))
        .as("the default target keeps the top-level section")
        .contains("sc://127.0.0.1:1");
  }

  @Test
  void anUnknownEngineOnAModelIsAProblemAtItsLine() throws Exception {
    writeProject();
    write(
        project,
        "models/by_customer.sql",
        "{{ config(engine='sprak') }}\nselect 1 as customer, 1 as total, 1 as orders\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/by_customer.sql:1")
        .hasMessageContaining("Unknown engine 'sprak'")
        .hasMessageContaining("did you mean 'spark'?");
  }

  @Test
  void theSparkSectionTakesOnlyTheEnginesOptionsAndSecretsByReference() throws Exception {
    writeProject();
    write(
        project,
        "sluice.yaml",
        """
        name: mixed
        spark:
          remote: "sc://127.0.0.1:15002"
          token: literal-token-value
          remtoe: x
        """);
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:4")
        .hasMessageContaining("Secrets must be given by reference: spark.token")
        .hasMessageNotContaining("literal-token-value")
        .hasMessageContaining("sluice.yaml:5")
        .hasMessageContaining("Unknown key 'remtoe'")
        .hasMessageContaining("did you mean 'remote'?");
  }

  private void writeProject() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: mixed\nspark:\n  remote: \"" + SparkConnectTestServer.shared().remote() + "\"\n");
    write(
        project,
        "seeds/orders.csv",
        "id,customer,amount,day\n1,ann,30,2026-12-01\n2,ann,5,2026-12-02\n3,bob,7,2026-12-02\n");
    write(
        project,
        "models/by_customer.sql",
        """
        {{ config(engine='spark') }}
        select customer, sum(amount) as total, count(*) as orders
        from {{ ref('orders') }} group by customer
        """);
    write(
        project,
        "models/by_customer.yaml",
        """
        models:
          - name: by_customer
            columns:
              - name: customer
                checks: [not_null, unique]
        """);
    write(
        project,
        "models/tiers.sql",
        """
        select customer, case when total >= 20 then 'gold' else 'silver' end as tier
        from {{ ref('by_customer') }}
        """);
  }

  private static RunResult run(Workspace workspace) {
    return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
  }

  private static StepResult step(RunResult run, String asset) {
    return run.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + asset + " in " + run.steps()));
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }

  private static List<String> dataFiles(Workspace workspace, TableName table) throws Exception {
    List<String> files = new ArrayList<>();
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        workspace.lake().loadTable(table).newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file().location()));
    }
    return files;
  }
}
