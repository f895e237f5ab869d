package dev.sluice.engine.spark;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice killed (SIGKILL) while a Spark step computes: the step's rows were never committed, and
 * {@code resume} builds them once, so an appending incremental model on Spark holds no duplicates.
 */
class SparkKillAndResumeTest {
  @TempDir Path project;

  @Test
  void aRunKilledDuringASparkStepResumesWithoutDuplicates() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: resume\nthreads: 1\nspark:\n  remote: \""
            + SparkConnectTestServer.shared().remote()
            + "\"\n");
    write(project, "seeds/orders.csv", "id,amount\n1,10\n2,20\n3,30\n");
    // appends every run (no unique_key): a step committed twice would double its rows
    write(
        project,
        "models/heavy.sql",
        """
        {{ config(engine='spark', materialized='incremental') }}
        select o.id, o.amount,
               (select count(*) from range(40000) a cross join range(40000) b
                where a.id + b.id < 0) as heavy
        from {{ ref('orders') }} o
        """);
    write(project, "models/totals.sql", "select sum(amount) as total from {{ ref('heavy') }}\n");

    String runId = startAndKillDuring("heavy");

    try (Workspace workspace = Workspace.open(project)) {
      RunDetail killed = workspace.runStore().runs().findRun(runId).orElseThrow();
      assertThat(killed.summary().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(killed.steps())
          .filteredOn(step -> step.asset().equals("heavy"))
          .singleElement()
          .satisfies(
              step ->
                  assertThat(step.status())
                      .as("killed while Spark computed the step")
                      .isEqualTo(StepStatus.RUNNING));
      assertThat(workspace.lake().findTable(dev.sluice.api.TableName.parse("curated.heavy")))
          .isEmpty();
      // the killed run may have died holding the lock on the table it was building
      workspace
          .runStore()
          .locks()
          .tryLock("table:curated.heavy", runId, Duration.ofMinutes(5), Instant.now());

      RunResult resumed = new Runner(workspace).resume(runId, RunListener.NONE);

      assertThat(resumed.succeeded()).as(String.valueOf(resumed.steps())).isTrue();
      QueryService queries = new QueryService(workspace);
      assertThat(
              queries
                  .query(
                      "select count(*), count(distinct id) from curated.heavy", ReadPoint.main(), 1)
                  .rows()
                  .get(0))
          .containsExactly(3L, 3L);
      assertThat(
              queries
                  .query("select total from curated.totals", ReadPoint.main(), 1)
                  .rows()
                  .get(0)
                  .get(0)
                  .toString())
          .isEqualTo("60");
    }
  }

  @Test
  void aRunKilledDuringASparkMergeResumesWithoutDuplicates() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: resume\nthreads: 1\nspark:\n  remote: \""
            + SparkConnectTestServer.shared().remote()
            + "\"\n");
    write(project, "seeds/orders.csv", "id,amount,version\n1,10,1\n2,20,1\n3,30,1\n");
    // merges on id; the second run's new rows take seconds to compute, during which it is killed
    write(
        project,
        "models/latest.sql",
        """
        {{ config(engine='spark', materialized='incremental', unique_key='id') }}
        select id, amount, version from {{ ref('orders') }}
        {% if is_incremental() %}
        where version > (select max(version) from {{ this }})
          and (select count(*) from range(40000) a cross join range(40000) b
               where a.id + b.id < 0) = 0
        {% endif %}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
    // order 2 changes, order 4 is new
    write(project, "seeds/orders.csv", "id,amount,version\n1,10,1\n2,25,2\n3,30,1\n4,40,2\n");

    String runId = startAndKillDuring("latest");
    // the resumed step need not be slow
    write(
        project,
        "models/latest.sql",
        """
        {{ config(engine='spark', materialized='incremental', unique_key='id') }}
        select id, amount, version from {{ ref('orders') }}
        {% if is_incremental() %}
        where version > (select max(version) from {{ this }})
        {% endif %}
        """);

    try (Workspace workspace = Workspace.open(project)) {
      workspace
          .runStore()
          .locks()
          .tryLock("table:curated.latest", runId, Duration.ofMinutes(5), Instant.now());
      RunResult resumed = new Runner(workspace).resume(runId, RunListener.NONE);
      assertThat(resumed.succeeded()).as(String.valueOf(resumed.steps())).isTrue();
      QueryService queries = new QueryService(workspace);
      assertThat(
              queries
                  .query(
                      "select count(*), count(distinct id), sum(amount) from curated.latest",
                      ReadPoint.main(),
                      1)
                  .rows()
                  .get(0)
                  .stream()
                  .map(String::valueOf)
                  .toList())
          .containsExactly("4", "4", "105");
    }
  }

  /**
   * With the catalog on PostgreSQL the merge is Iceberg's MERGE INTO on Spark, into a branch of the
   * step's own: Sluice is killed as soon as Spark's commit is on that branch (before, or at the
   * latest just after, Sluice's own commit and publish), and the resumed run holds each key once.
   */
  @Test
  void aRunKilledAfterSparksMergeIntoResumesWithoutDuplicates() throws Exception {
    try (PostgresDatabase catalog = TestPostgres.newDatabase()) {
      write(project, "secrets/catalog-user", catalog.user() + "\n");
      write(project, "secrets/catalog-password", catalog.password() + "\n");
      write(
          project,
          "sluice.yaml",
          """
          name: resume
          threads: 1
          catalog:
            url: %s
            user: ${file:secrets/catalog-user}
            password: ${file:secrets/catalog-password}
          spark:
            remote: "%s"
          """
              .formatted(catalog.jdbcUrl(), SparkConnectTestServer.shared().remote()));
      write(project, "seeds/orders.csv", "id,amount,version\n1,10,1\n2,20,1\n3,30,1\n");
      write(
          project,
          "models/latest.sql",
          """
          {{ config(engine='spark', materialized='incremental', unique_key='id') }}
          select id, amount, version from {{ ref('orders') }}
          {% if is_incremental() %}
          where version > (select max(version) from {{ this }})
          {% endif %}
          """);
      try (Workspace workspace = Workspace.open(project)) {
        assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
            .isTrue();
      }
      // order 2 changes, order 4 is new
      write(project, "seeds/orders.csv", "id,amount,version\n1,10,1\n2,25,2\n3,30,1\n4,40,2\n");

      String runId = startAndKillAfterSparksMerge(dev.sluice.api.TableName.parse("curated.latest"));

      try (Workspace workspace = Workspace.open(project)) {
        dev.sluice.api.TableName latest = dev.sluice.api.TableName.parse("curated.latest");
        assertThat(workspace.lake().loadTable(latest).refs().keySet())
            .as("the killed run left the merge's branch")
            .contains("audit-" + runId + "-merge");
        workspace
            .runStore()
            .locks()
            .tryLock("table:curated.latest", runId, Duration.ofMinutes(5), Instant.now());
        RunResult resumed = new Runner(workspace).resume(runId, RunListener.NONE);
        assertThat(resumed.succeeded()).as(String.valueOf(resumed.steps())).isTrue();
        assertThat(workspace.lake().loadTable(latest).refs().keySet())
            .as("the resume removed the branches the killed run left")
            .containsExactly("main");
        assertThat(
                new QueryService(workspace)
                        .query(
                            "select count(*), count(distinct id), sum(amount) from curated.latest",
                            ReadPoint.main(),
                            1)
                        .rows()
                        .get(0)
                        .stream()
                        .map(String::valueOf)
                        .toList())
            .containsExactly("4", "4", "105");
      }
    }
  }

  /**
   * Runs the project in a child process and kills it as soon as Spark's MERGE INTO committed to the
   * merge's own branch of {@code table}.
   */
  private String startAndKillAfterSparksMerge(dev.sluice.api.TableName table) throws Exception {
    Process child =
        new ProcessBuilder(
                ChildJava.command(
                    List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"),
                    RunInChildProcess.class,
                    project.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String runId = null;
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        dev.sluice.lake.Lake lake =
            Workspace.openLake(dev.sluice.core.project.Project.load(project).config())) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        }
        if (line.equals("started latest")) {
          break;
        }
      }
      assertThat(runId).as("the child printed its run id").isNotNull();
      String branch = "audit-" + runId + "-merge";
      long main = lake.loadTable(table).currentSnapshot().snapshotId();
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (!mergedOn(lake.loadTable(table), branch, main)) {
        assertThat(Instant.now()).as("Spark's merge committed in time").isBefore(deadline);
        assertThat(child.isAlive()).as("the child still runs").isTrue();
        TimeUnit.MILLISECONDS.sleep(10);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return runId;
  }

  /** Whether Spark committed on the merge's branch, or (a moment later) main moved on already. */
  private static boolean mergedOn(org.apache.iceberg.Table table, String branch, long main) {
    org.apache.iceberg.SnapshotRef ref = table.refs().get(branch);
    return (ref != null && ref.snapshotId() != main)
        || table.currentSnapshot().snapshotId() != main;
  }

  /** Runs the project in a child process and kills it a moment after {@code asset} started. */
  private String startAndKillDuring(String asset) throws Exception {
    Process child =
        new ProcessBuilder(
                ChildJava.command(
                    List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"),
                    RunInChildProcess.class,
                    project.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String runId = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        }
        if (line.equals("started " + asset)) {
          break;
        }
      }
      // into the Spark query: the session opens and the plan is sent within this
      TimeUnit.SECONDS.sleep(3);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runId).as("the child printed its run id").isNotNull();
    return runId;
  }
}
