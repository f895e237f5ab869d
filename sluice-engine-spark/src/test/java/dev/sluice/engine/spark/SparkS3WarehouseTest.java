package dev.sluice.engine.spark;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.DataDiff;
import dev.sluice.core.env.Environments;
import dev.sluice.core.maintain.CompactionOutcome;
import dev.sluice.core.maintain.Compactions;
import dev.sluice.core.maintain.Erasure;
import dev.sluice.core.maintain.ErasureReport;
import dev.sluice.core.maintain.ErasureSubject;
import dev.sluice.core.maintain.Maintenance;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.maintain.TableMaintenance;
import dev.sluice.core.query.PolicyCheck;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.testing.CapturedLogs;
import dev.sluice.core.testing.TestS3;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose warehouse is in S3-compatible storage (s3proxy) and whose Iceberg catalog is on
 * PostgreSQL, with models on the suite's Spark Connect server: Spark reads the data files at their
 * {@code s3a://} locations and writes its results into the tables' locations itself, with the S3A
 * settings Sluice gives its sessions: a table, an incremental (built, then merged) and a
 * partitioned model, and a chain Spark, DuckDB, Spark. Sluice's local cache of the warehouse is
 * emptied before the Spark steps and stays empty through them, so Spark never read a file from it;
 * the rows equal those the same SQL gives on DuckDB. A store that cannot be reached fails the Spark
 * step naming neither key.
 */
class SparkS3WarehouseTest {
  private static final String ACCESS_KEY_ID = "sluice-spark-key";
  private static final String SECRET = "planted-spark-s3-secret-" + UUID.randomUUID();

  private static TestS3 s3;
  private PostgresDatabase catalog;

  @TempDir Path project;

  @BeforeAll
  static void start() throws Exception {
    s3 = TestS3.start(ACCESS_KEY_ID, SECRET);
    s3.createBucket("spark-lake");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @BeforeEach
  void newCatalog() {
    catalog = TestPostgres.newDatabase();
  }

  @AfterEach
  void dropCatalog() throws Exception {
    catalog.close();
  }

  @Test
  void sparkReadsAndWritesTheWarehouseInObjectStorageWithoutSluicesCache() throws Exception {
    writeProject(s3, "spark-lake");
    try (Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "orders"));
      emptyCache();

      // only Spark runs: it reads the seed's files and writes its tables in the bucket
      succeeds(run(workspace, "latest", "daily"));
      assertThat(cachedFiles()).as("Sluice's cache, after the Spark steps").isEmpty();
      for (String table : List.of("latest", "daily")) {
        assertThat(dataFiles(workspace, table))
            .as("the data files of " + table + ", written by Spark in its location")
            .isNotEmpty()
            .allSatisfy(
                file ->
                    assertThat(file)
                        .startsWith("s3://spark-lake/wh/curated/" + table + "/data/")
                        .contains("/part-00000-"));
      }

      // Spark compresses as each table's properties say (the project's zstd level 1, daily's
      // own gzip), not with its own codec setting (snappy)
      assertThat(codecs(workspace, "latest")).containsOnly("ZSTD");
      assertThat(codecs(workspace, "daily")).containsOnly("GZIP");

      // a DuckDB model reads Spark's table, a Spark model (a table) the DuckDB model's
      succeeds(run(workspace, "tiers", "gold", "latest_on_duckdb"));
      assertThat(rows(workspace, "select customer, tier from curated.tiers"))
          .containsExactlyInAnyOrder(List.of("ann", "gold"), List.of("bob", "silver"));
      assertThat(rows(workspace, "select customer from curated.gold"))
          .containsExactly(List.of("ann"));
      assertThat(rows(workspace, "select cast(day as varchar), amount, orders from curated.daily"))
          .containsExactlyInAnyOrder(
              List.of("2026-12-01", "30", "1"), List.of("2026-12-02", "12", "2"));
    }

    // order 3 turns negative: Spark's MERGE INTO commits on the step's own branch, the check
    // fails on the audit branch, and main stays as it was, with no branch left behind
    TableName latest = new TableName("curated", "latest");
    seed("1,ann,30,2026-12-01\n2,ann,6,2026-12-02\n3,bob,-7,2026-12-02\n4,cy,1,2026-12-03\n");
    long published;
    try (CapturedLogs logs = CapturedLogs.capture();
        Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "orders"));
      published = workspace.lake().loadTable(latest).currentSnapshot().snapshotId();
      RunResult blocked = run(workspace, "latest");
      assertThat(step(blocked, "latest").status()).isEqualTo(StepStatus.FAILED);
      assertThat(step(blocked, "latest").error()).contains("expression(amount): 1 failing rows");
      Table table = workspace.lake().loadTable(latest);
      assertThat(table.snapshots())
          .as("Spark's MERGE INTO committed on the step's own branch, through S3FileIO")
          .anySatisfy(snapshot -> assertThat(snapshot.summary()).containsKey("spark.app.id"));
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(published);
      assertThat(table.refs().keySet()).containsExactly("main");

      // two new rows of key 3 match one table row: Iceberg refuses the merge, naming no key
      seed(
          "1,ann,30,2026-12-01\n2,ann,6,2026-12-02\n3,bob,7,2026-12-02\n3,bob,8,2026-12-02\n"
              + "4,cy,1,2026-12-03\n");
      succeeds(run(workspace, "orders"));
      RunResult refused = run(workspace, "latest");
      assertThat(step(refused, "latest").status()).isEqualTo(StepStatus.FAILED);
      assertThat(step(refused, "latest").error())
          .containsIgnoringCase("multiple")
          .doesNotContain(SECRET)
          .doesNotContain(catalog.password());
      assertThat(workspace.lake().loadTable(latest).currentSnapshot().snapshotId())
          .isEqualTo(published);
      assertThat(logs.text()).doesNotContain(SECRET).doesNotContain(catalog.password());
    }

    // order 2 changes, order 4 is new: merged by Iceberg's MERGE INTO on Spark, cache unused
    seed("1,ann,30,2026-12-01\n2,ann,6,2026-12-02\n3,bob,7,2026-12-02\n4,cy,1,2026-12-03\n");
    try (Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "orders"));
      emptyCache();
      RunResult merged = run(workspace, "latest");
      succeeds(merged);
      assertThat(step(merged, "latest").detail())
          .contains("merged 3 new or changed rows on id with Iceberg's MERGE INTO");
      assertThat(cachedFiles()).as("Sluice's cache, after the Spark merge").isEmpty();
      Table table = workspace.lake().loadTable(latest);
      assertThat(table.currentSnapshot().parentId())
          .as("one snapshot of Sluice's on main for the step")
          .isEqualTo(published);
      assertThat(table.currentSnapshot().summary()).containsEntry("sluice.run-id", merged.runId());
      assertThat(table.refs().keySet()).containsExactly("main");
      assertThat(dataFiles(workspace, "latest"))
          .allSatisfy(file -> assertThat(file).startsWith("s3://spark-lake/wh/curated/latest/"));
      RunResult onDuckDb = run(workspace, "latest_on_duckdb");
      succeeds(onDuckDb);
      assertThat(step(onDuckDb, "latest_on_duckdb").detail())
          .as("DuckDB merges with Sluice's own merge")
          .doesNotContain("MERGE INTO");
      assertThat(rows(workspace, "select id, customer, amount from curated.latest"))
          .containsExactlyInAnyOrderElementsOf(
              rows(workspace, "select id, customer, amount from curated.latest_on_duckdb"))
          .containsExactlyInAnyOrder(
              List.of("1", "ann", "30"),
              List.of("2", "ann", "6"),
              List.of("3", "bob", "7"),
              List.of("4", "cy", "1"));
    }
    assertThat(Files.readString(SparkConnectTestServer.shared().log()))
        .as("the Spark server's log")
        .doesNotContain(SECRET)
        .doesNotContain(catalog.password());
  }

  /**
   * Spark as the project's engine: {@code sluice query} (as the owner, at an older snapshot, and as
   * principals whose masks and row filters apply) and {@code sluice maintain} (compaction,
   * retention, snapshot expiry, orphan files) hand Spark the data files at their {@code s3a://}
   * locations and let it write the rewritten ones into the tables' locations: Sluice's cache stays
   * empty throughout.
   */
  @Test
  void withSparkAsTheProjectsEngineQueriesAndMaintenanceUseTheWarehouseItself() throws Exception {
    String bucket = "spark-engine-" + UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket(bucket);
    writeProject(
        s3,
        bucket,
        "maintenance:\n  min_input_files: 2\n  keep_snapshots: 1h\n  min_snapshots: 1\n");
    write(
        project,
        "models/events.sql",
        """
        {{ config(engine='spark', materialized='incremental') }}
        select id, customer, amount, day, cast(day as timestamp) as at, customer as buyer
        from {{ ref('orders') }}
        {% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
        """);
    // retention by a timestamptz column (Iceberg's timestamp with time zone); customer identifies
    // a data subject, and so does buyer, its copy (column lineage)
    write(
        project,
        "models/events.yaml",
        """
        models:
          - name: events
            retention: {column: at, keep: 1d}
            columns:
              - {name: id}
              - {name: customer, classification: [subject.customer]}
              - {name: amount}
              - {name: day}
              - {name: at}
              - {name: buyer}
        """);
    // a source loaded on DuckDB, with a record it rejects, holding the subject too
    write(
        project,
        "sources/crm.yaml",
        """
        connector: file
        tables:
          - name: contacts
            path: data/contacts.csv
            on_error: quarantine
            columns:
              - {name: customer, type: varchar, classification: [subject.customer]}
              - {name: visits, type: bigint}
        """);
    write(project, "data/contacts.csv", "customer,visits\nann,3\nbob,4\nbob,many\n");
    write(project, "secrets/token-key", "spark-token-key-never-shown\n");
    write(
        project,
        "policies.yaml",
        """
        users:
          - {name: analyst, roles: [analyst], attributes: {customer: ann}}
          - {name: mallory, roles: [analyst], attributes: {customer: "x\\\\' or true or '"}}
          - {name: auditor, roles: [auditor]}
          - {name: newcomer, roles: [analyst]}
        roles:
          - name: analyst
          - name: auditor
        grants:
          - {role: analyst, privileges: [read], on: curated.events}
          - {role: auditor, privileges: [read], on: curated.events}
        masks:
          - {column: curated.events.customer, mask: partial, last: 1, exempt: [auditor]}
          - {column: curated.events.id, mask: tokenize, key: "${file:secrets/token-key}", exempt: [analyst]}
          - {column: curated.events.buyer, mask: redact, value: 'a\\''b\\\\c''d', exempt: [auditor]}
        row_filters:
          - {table: curated.events, roles: [analyst], where: customer = principal.customer}
        """);
    TableName events = new TableName("curated", "events");
    long firstBuild;
    try (Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "orders", "events", "crm.contacts"));
      firstBuild = workspace.lake().loadTable(events).currentSnapshot().snapshotId();
      seed(
          "1,ann,30,2026-12-01\n2,ann,5,2026-12-02\n3,bob,7,2026-12-02\n4,ann,9,2026-12-03\n"
              + "5,bob,2,2026-12-03\n");
      succeeds(run(workspace, "orders", "events"));
      assertThat(dataFiles(workspace, "events")).as("one file per run").hasSize(2);
    }
    Path configuration = project.resolve("sluice.yaml");
    Files.writeString(configuration, "engine: spark\n" + Files.readString(configuration));
    emptyCache();
    try (CapturedLogs logs = CapturedLogs.capture();
        Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.engine().name()).isEqualTo("spark");
      QueryService queries = new QueryService(workspace);
      assertThat(rows(workspace, "select id, customer, amount from curated.events"))
          .hasSize(5)
          .contains(List.of("4", "ann", "9"));
      assertThat(
              queries
                  .query("select count(*) from curated.events", ReadPoint.snapshot(firstBuild), 10)
                  .rows())
          .as("time travel to the first build")
          .containsExactly(List.of(3L));

      // masks and row filters, applied by Sluice's SQL around the stored table, hold on Spark
      assertThat(
              queries
                  .query(
                      "select id, customer, amount from curated.events order by id",
                      ReadPoint.main(),
                      100,
                      queries.principal("analyst"))
                  .rows())
          .containsExactly(List.of(1L, "**n", 30L), List.of(2L, "**n", 5L), List.of(4L, "**n", 9L));
      assertThat(
              queries
                  .query(
                      "select count(*) from curated.events",
                      ReadPoint.main(),
                      10,
                      queries.principal("mallory"))
                  .rows())
          .as("an attribute is a value, whatever quotes and backslashes it holds")
          .containsExactly(List.of(0L));
      // a keyed mask is computed in Sluice's process only: Spark cannot, so the read is refused
      assertThatThrownBy(
              () ->
                  queries.query(
                      "select customer from curated.events",
                      ReadPoint.main(),
                      10,
                      queries.principal("auditor")))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("column id is masked with tokenize")
          .hasMessageNotContaining("spark-token-key-never-shown");
      // a redact mask's value is a value on Spark too, whatever quotes and backslashes it holds
      assertThat(
              queries
                  .query(
                      "select distinct buyer from curated.events",
                      ReadPoint.main(),
                      10,
                      queries.principal("analyst"))
                  .rows())
          .containsExactly(List.of("a\\'b\\\\c'd"));

      // validate binds the row filter on Spark for each principal it applies to: newcomer has no
      // customer attribute
      assertThatThrownBy(
              () -> PolicyCheck.check(workspace.project(), workspace.lake(), workspace.engine()))
          .isInstanceOfSatisfying(
              ProjectException.class,
              e ->
                  assertThat(e.problems())
                      .singleElement()
                      .satisfies(
                          problem -> {
                            assertThat(String.valueOf(problem.location()))
                                .startsWith("policies.yaml:");
                            assertThat(problem.message())
                                .contains("The row filter on curated.events does not bind for")
                                .contains("newcomer (attributes: none)");
                          }));

      // compaction into several files and the sort_by and cluster_by layouts, on Spark: the
      // portable SQL DuckDB runs too (TableMaintenanceTest), into files of a few kilobytes
      CompactionOutcome packed =
          Compactions.rewrite(
              workspace, events, "compact", fourFifths(workspace, events), List.of());
      assertThat(packed.filesRewritten()).isEqualTo(2);
      assertThat(packed.filesWritten()).isEqualTo(2);
      CompactionOutcome sorted =
          Compactions.rewrite(
              workspace, events, "sort", fourFifths(workspace, events), List.of("amount"));
      assertThat(sorted.filesWritten()).isEqualTo(2);
      // amounts 2, 5, 7 | 9, 30
      assertThat(bounds(workspace, events, "amount"))
          .containsExactlyInAnyOrder("2..7 (3 rows)", "9..30 (2 rows)");
      CompactionOutcome clustered =
          Compactions.rewrite(
              workspace,
              events,
              "cluster",
              fourFifths(workspace, events),
              List.of("customer", "id"));
      assertThat(clustered.filesWritten()).isEqualTo(2);
      // Z-order of (customer, id): ids 1, 2, 3 | 4, 5 (sorted by customer, then id: 1, 2, 4 | 3, 5)
      assertThat(bounds(workspace, events, "id"))
          .containsExactlyInAnyOrder("1..3 (3 rows)", "4..5 (2 rows)");
      assertThat(rows(workspace, "select id, customer, amount from curated.events"))
          .containsExactlyInAnyOrder(
              List.of("1", "ann", "30"),
              List.of("2", "ann", "5"),
              List.of("3", "bob", "7"),
              List.of("4", "ann", "9"),
              List.of("5", "bob", "2"));

      // maintain: the two small files compacted into one, written by Spark in the table's
      // location; then retention rewrites the file with the rows it keeps, on Spark too
      List<TableMaintenance.Report> reports =
          new TableMaintenance(workspace, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)))
              .run(
                  new TableMaintenance.Request(
                      EnumSet.allOf(TableMaintenance.Operation.class), false, Set.of(events)));
      assertThat(reports.get(0).rewrites().get(0).filesRewritten()).isEqualTo(2);
      assertThat(dataFiles(workspace, "events"))
          .singleElement()
          .satisfies(
              file ->
                  assertThat(file)
                      .startsWith("s3://" + bucket + "/wh/curated/events/data/")
                      .contains("/part-00000-"));
      assertThat(reports.get(0).expiry().snapshotsExpired()).isPositive();
      RetentionOutcome retention =
          new Maintenance(
                  workspace, Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC))
              .applyRetention(Set.of(events))
              .get(0);
      assertThat(retention.rowsDeleted()).isEqualTo(3);
      assertThat(retention.filesWritten()).isEqualTo(1);
      assertThat(rows(workspace, "select id from curated.events"))
          .containsExactlyInAnyOrder(List.of("4"), List.of("5"));

      // erasure on Spark: the subject's rows in the model (customer, and buyer, its copy), in the
      // source and in its rejected records; a value with quotes is a value
      Erasure erasure = new Erasure(workspace, Clock.systemUTC());
      assertThat(erasure.plan(ErasureSubject.parse("customer=bob\\' or 'x'='x")).rowsRemoved())
          .isZero();
      ErasureReport erased = erasure.erase(ErasureSubject.parse("customer=bob"), RunListener.NONE);
      assertThat(erased.tables())
          .extracting(table -> table.table() + ": " + table.rows())
          .containsExactlyInAnyOrder(
              "curated.events: 1", "raw.crm_contacts: 1", "raw.crm_contacts__rejected: 1");
      assertThat(rows(workspace, "select id from curated.events")).containsExactly(List.of("4"));
      assertThat(rows(workspace, "select customer from raw.crm_contacts"))
          .containsExactly(List.of("ann"));
      assertThat(rows(workspace, "select count(*) from raw.crm_contacts__rejected"))
          .containsExactly(List.of("0"));
      assertThat(cachedFiles())
          .as("Sluice's cache, after the queries, maintenance and erasure")
          .isEmpty();
      assertThat(logs.text())
          .doesNotContain(SECRET)
          .doesNotContain(catalog.password())
          .doesNotContain("spark-token-key-never-shown");
    }
  }

  /**
   * The data diff of an environment with Spark as the project's engine: Spark reads both versions'
   * files in the bucket (Sluice's cache stays empty), and hashes the rows in buckets first (the
   * table has more than {@code DataDiff.BUCKETED_ROWS}) with its own 64-bit hash.
   */
  @Test
  void aDiffOfAnEnvironmentRunsOnSparkOverTheWarehouse() throws Exception {
    String bucket = "spark-diff-" + UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket(bucket);
    writeProject(s3, bucket);
    Path configuration = project.resolve("sluice.yaml");
    Files.writeString(configuration, "engine: spark\n" + Files.readString(configuration));
    write(project, "models/big.sql", big(150_000, "v", "-1"));
    try (Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "big"));
    }
    // three values changed, id 3 removed, id 150000 added
    write(
        project,
        "models/big.sql",
        big(150_001, "case when id % 50000 = 7 then v + 1 else v end", "3"));
    emptyCache();
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(
              new Environments(workspace)
                  .build("dev", new RunOptions(List.of("big"), false), RunListener.NONE)
                  .succeeded())
          .isTrue();
      DataDiff.Result keyed =
          new DataDiff(workspace).diff(new TableName("curated", "big"), "dev", List.of("id"));
      assertThat(keyed.productionRows()).isEqualTo(150_000);
      assertThat(keyed.environmentRows()).isEqualTo(150_000);
      assertThat(keyed.onlyInProduction()).isEqualTo(1);
      assertThat(keyed.onlyInEnvironment()).isEqualTo(1);
      assertThat(keyed.changed()).isEqualTo(3);
      assertThat(keyed.changedByColumn()).isEqualTo(java.util.Map.of("v", 3L));
      assertThat(keyed.sample().rows())
          .extracting(row -> ((Number) row.get(0)).longValue())
          .containsExactly(7L, 50_007L, 100_007L);
      // a few of about 300 buckets differ: a few thousand rows compared, not 300,000
      assertThat(keyed.sameBuckets()).isGreaterThan(250);
      assertThat(keyed.comparedRows()).isPositive().isLessThan(30_000);
      // whole rows (no key): buckets by a hash of the row, then EXCEPT ALL on Spark
      DataDiff.Result whole =
          new DataDiff(workspace).diff(new TableName("curated", "big"), "dev", List.of());
      assertThat(whole.onlyInProduction()).as("three changed rows and id 3").isEqualTo(4);
      assertThat(whole.onlyInEnvironment()).as("three changed rows and id 150000").isEqualTo(4);
      assertThat(whole.changed()).isNull();
      assertThat(whole.sameBuckets()).isGreaterThan(250);
      assertThat(whole.comparedRows()).isPositive().isLessThan(30_000);
      assertThat(whole.sample().rows())
          .extracting(row -> ((Number) row.get(0)).longValue())
          .containsExactlyInAnyOrder(7L, 50_007L, 100_007L, 150_000L);
      assertThat(cachedFiles()).as("Sluice's cache, after the diff on Spark").isEmpty();
    }
  }

  /** A Spark model of ids 0 to rows - 1 but {@code without}, each with {@code value} as v. */
  private static String big(long rows, String value, String without) {
    return "select id, "
        + value
        + " as v from (select id, id % 1000 as v from range("
        + rows
        + ")) where id not in ("
        + without
        + ")\n";
  }

  /** A target file size at which the table's two small files are rewritten into two. */
  private static long fourFifths(Workspace workspace, TableName table) {
    return Compactions.dataBytes(workspace, table) * 4 / 5;
  }

  /** Each data file's bounds of {@code column} and its rows, e.g. {@code 2..7 (3 rows)}. */
  private static List<String> bounds(Workspace workspace, TableName table, String column) {
    org.apache.iceberg.types.Types.NestedField field =
        workspace.lake().loadTable(table).schema().findField(column);
    return Compactions.dataFiles(workspace, table).stream()
        .map(
            file ->
                org.apache.iceberg.types.Conversions.fromByteBuffer(
                        field.type(), file.lowerBounds().get(field.fieldId()))
                    + ".."
                    + org.apache.iceberg.types.Conversions.fromByteBuffer(
                        field.type(), file.upperBounds().get(field.fieldId()))
                    + " ("
                    + file.recordCount()
                    + " rows)")
        .toList();
  }

  private void seed(String rows) throws IOException {
    write(project, "seeds/orders.csv", "id,customer,amount,day\n" + rows);
  }

  @Test
  void anEndpointSparkCannotReachFailsTheStepWithoutNamingTheKeys() throws Exception {
    // a bucket of its own: the Spark server keeps one S3A file system per bucket
    String bucket = "spark-elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket(bucket);
    writeProject(s3, bucket, "  s3_endpoint: \"http://127.0.0.1:1\"\n");
    try (CapturedLogs logs = CapturedLogs.capture();
        Workspace workspace = Workspace.open(project)) {
      succeeds(run(workspace, "orders"));
      RunResult failed = run(workspace, "latest");
      StepResult step = step(failed, "latest");
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("s3a://" + bucket + "/wh/curated/orders/data/")
          .doesNotContain(SECRET)
          .doesNotContain(ACCESS_KEY_ID);
      assertThat(
              workspace.runStore().runs().findRun(failed.runId()).orElseThrow().steps().stream()
                  .map(recorded -> String.valueOf(recorded.error()))
                  .toList())
          .as("the run history")
          .anyMatch(error -> error.contains("s3a://" + bucket))
          .noneMatch(error -> error.contains(SECRET) || error.contains(ACCESS_KEY_ID));
      assertThat(logs.text()).doesNotContain(SECRET);
    }
    // with Spark as the project's engine, a query fails the same way: Spark reads the files
    Path configuration = project.resolve("sluice.yaml");
    Files.writeString(configuration, "engine: spark\n" + Files.readString(configuration));
    try (CapturedLogs logs = CapturedLogs.capture();
        Workspace workspace = Workspace.open(project)) {
      assertThatThrownBy(() -> rows(workspace, "select count(*) from curated.orders"))
          .hasMessageContaining("s3a://" + bucket + "/wh/")
          .hasMessageNotContaining(SECRET)
          .hasMessageNotContaining(ACCESS_KEY_ID);
      assertThat(logs.text()).doesNotContain(SECRET);
    }
  }

  private void writeProject(TestS3 store, String bucket) throws IOException {
    writeProject(store, bucket, "");
  }

  /** The project, with {@code sparkOptions} (YAML lines) added to its {@code spark:} section. */
  private void writeProject(TestS3 store, String bucket, String sparkOptions) throws IOException {
    write(project, "secrets/s3-key", ACCESS_KEY_ID + "\n");
    write(project, "secrets/s3-secret", SECRET + "\n");
    write(project, "secrets/catalog-user", catalog.user() + "\n");
    write(project, "secrets/catalog-password", catalog.password() + "\n");
    write(
        project,
        "sluice.yaml",
        """
        name: lake_on_s3
        warehouse: s3://%s/wh
        s3:
          endpoint: %s
          region: us-east-1
          path_style_access: true
          access_key_id: ${file:secrets/s3-key}
          secret_access_key: ${file:secrets/s3-secret}
        catalog:
          url: %s
          user: ${file:secrets/catalog-user}
          password: ${file:secrets/catalog-password}
        spark:
          remote: "%s"
        %s"""
            .formatted(
                bucket,
                store.endpoint(),
                catalog.jdbcUrl(),
                SparkConnectTestServer.shared().remote(),
                sparkOptions));
    write(
        project,
        "seeds/orders.csv",
        "id,customer,amount,day\n1,ann,30,2026-12-01\n2,ann,5,2026-12-02\n3,bob,7,2026-12-02\n");
    String latest =
        """
        select id, customer, amount from {{ ref('orders') }}
        {% if is_incremental() %}
        where id >= (select max(id) - 1 from {{ this }})
        {% endif %}
        """;
    write(
        project,
        "models/latest.sql",
        "{{ config(engine='spark', materialized='incremental', unique_key='id') }}\n" + latest);
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
        """);
    write(
        project,
        "models/latest_on_duckdb.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\n" + latest);
    write(
        project,
        "models/daily.sql",
        """
        {{ config(engine='spark') }}
        select day, cast(sum(amount) as bigint) as amount, count(*) as orders
        from {{ ref('orders') }}
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
            parquet: {compression: gzip}
            partitions:
              - {column: day, grain: day, start: 2026-11-30}
        """);
    write(
        project,
        "models/tiers.sql",
        """
        select customer, case when sum(amount) >= 20 then 'gold' else 'silver' end as tier
        from {{ ref('latest') }} group by customer
        """);
    write(
        project,
        "models/gold.sql",
        """
        {{ config(engine='spark') }}
        select customer from {{ ref('tiers') }} where tier = 'gold'
        """);
  }

  /** The project's local copies of the warehouse's files (see ObjectStoreWarehouseFiles). */
  private Path cache() {
    return project.resolve(".sluice/s3/cache");
  }

  private void emptyCache() throws IOException {
    dev.sluice.api.io.Directories.deleteRecursively(cache());
    Files.createDirectories(cache());
  }

  private List<Path> cachedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(cache())) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static List<String> dataFiles(Workspace workspace, String table) throws IOException {
    List<String> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        workspace.lake().loadTable(new TableName("curated", table)).newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        files.add(file.location());
      }
    }
    return files;
  }

  /** The codecs of a table's current data files, as their footers (copied from the bucket) say. */
  private List<String> codecs(Workspace workspace, String table) throws Exception {
    Table loaded = workspace.lake().loadTable(new TableName("curated", table));
    Path copies = Files.createDirectories(project.resolve("footers"));
    List<String> codecs = new ArrayList<>();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      for (String location : dataFiles(workspace, table)) {
        Path copy = copies.resolve(UUID.randomUUID() + ".parquet");
        try (InputStream in = loaded.io().newInputFile(location).newStream()) {
          Files.copy(in, copy);
        }
        try (ResultSet codec =
            statement.executeQuery(
                "SELECT DISTINCT compression FROM parquet_metadata('" + copy + "')")) {
          while (codec.next()) {
            codecs.add(codec.getString(1));
          }
        }
      }
    }
    return codecs;
  }

  private static RunResult run(Workspace workspace, String... assets) {
    return new Runner(workspace)
        .run(
            new RunOptions(
                List.of(assets),
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
  }

  private static void succeeds(RunResult run) {
    assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();
  }

  private static StepResult step(RunResult run, String asset) {
    return run.steps().stream()
        .filter(step -> step.asset().startsWith(asset))
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
}
