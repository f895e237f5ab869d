package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.TableMaintenance;
import dev.sluice.core.maintain.TableMaintenance.Operation;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.testing.CapturedLogs;
import dev.sluice.core.testing.TestS3;
import dev.sluice.lake.ReadPoint;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.StoredObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose warehouse lives in S3-compatible storage (a real s3proxy started here): a file
 * source and a model run end to end, read back from the bucket, time travel; refused credentials, a
 * missing bucket and an unreachable endpoint fail before anything is written, naming endpoint and
 * bucket; the secret key never reaches logs, errors, the run store or the catalog.
 */
class S3WarehouseTest {
  private static final String ACCESS_KEY_ID = "sluice-test-key";
  private static final String SECRET = "planted-s3-secret-" + UUID.randomUUID();

  private static TestS3 s3;

  @TempDir Path project;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = TestS3.start(ACCESS_KEY_ID, SECRET);
    s3.createBucket("lake");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void runsAProjectWithItsWarehouseInS3AndReadsItBack() throws Exception {
    String prefix = "warehouse-" + UUID.randomUUID();
    writeProject("s3://lake/" + prefix, s3.endpoint(), SECRET);
    RunResult first;
    long afterFirstRun;
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (Workspace workspace = Workspace.open(project)) {
        first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
        afterFirstRun = System.currentTimeMillis();
        assertThat(first.steps())
            .allSatisfy(
                step ->
                    assertThat(step.status())
                        .as(step.asset() + ": " + step.error())
                        .isEqualTo(dev.sluice.core.state.StepStatus.SUCCEEDED));
        QueryService queries = new QueryService(workspace);
        assertThat(rows(queries, "select customer_id, revenue from published.revenue order by 1"))
            .containsExactly(List.of("1", "15.75"), List.of("2", "20.00"));

        Table table = workspace.lake().loadTable(new TableName("published", "revenue"));
        assertThat(table.location()).startsWith("s3://lake/" + prefix + "/");
        assertThat(SnapshotChanges.builderFor(table).build().addedDataFiles())
            .allSatisfy(file -> assertThat(file.location()).startsWith("s3://lake/" + prefix));

        write(
            project,
            "data/orders/2024-02.csv",
            "order_id,customer_id,amount\n4,2,1.00\n5,3,2.50\n");
        dev.sluice.core.testing.WallClock.awaitPast(afterFirstRun);
        RunResult second = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
        assertThat(second.succeeded()).as(String.valueOf(second.steps())).isTrue();
        assertThat(rows(queries, "select count(*) from raw.shop_orders"))
            .containsExactly(List.of("5"));
      }
      assertThat(logs.size()).isPositive();
      assertThat(logs.text()).doesNotContain(SECRET);
    }
    // nothing of the warehouse is on the local disk but the cache
    assertThat(project.resolve("warehouse")).doesNotExist();
    assertThat(s3.client().list(new S3Location("lake", prefix + "/")))
        .extracting(StoredObject::location)
        .extracting(S3Location::key)
        .anyMatch(key -> key.startsWith(prefix + "/published/revenue/metadata/"))
        .anyMatch(key -> key.startsWith(prefix + "/raw/shop_orders/data/"));

    // a new process with an empty cache reads the bucket; time travel reads the first version
    deleteRecursively(project.resolve(".sluice/s3"));
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select customer_id, revenue from published.revenue order by 1"))
          .containsExactly(List.of("1", "15.75"), List.of("2", "21.00"), List.of("3", "2.50"));
      long firstSnapshot = snapshotOf(first, "revenue");
      assertThat(
              rows(
                  queries,
                  "select count(*), sum(revenue) from published.revenue",
                  ReadPoint.snapshot(firstSnapshot)))
          .containsExactly(List.of("2", "35.75"));
      assertThat(
              rows(queries, "select count(*) from raw.shop_orders", ReadPoint.asOf(afterFirstRun)))
          .containsExactly(List.of("3"));
    }
    assertNoFileContainsTheSecret();
  }

  @Test
  void refusedCredentialsFailBeforeAnythingIsWrittenAndNeverShowTheSecret() throws Exception {
    String wrong = "planted-wrong-secret-" + UUID.randomUUID();
    String prefix = "refused-" + UUID.randomUUID();
    writeProject("s3://lake/" + prefix, s3.endpoint(), wrong);
    assertThatThrownBy(() -> Workspace.open(project))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bucket 'lake' at " + s3.endpoint())
        .hasMessageContaining("denied")
        .hasMessageContaining("secret_access_key")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(wrong).doesNotContain(SECRET));
    assertThat(s3.client().list(new S3Location("lake", prefix))).isEmpty();
    assertNoFileContains(wrong);
  }

  @Test
  void orphanFilesInTheBucketAreRemovedOnlyOnceOlderThanTheSafetyWindow() throws Exception {
    String prefix = "warehouse-" + UUID.randomUUID();
    writeProject("s3://lake/" + prefix, s3.endpoint(), SECRET);
    TableName orders = new TableName("raw", "shop_orders");
    String orphanKey = prefix + "/raw/shop_orders/data/left-by-a-killed-write.parquet";
    List<String> referenced;
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      referenced = workspace.lake().scan(orders, ReadPoint.main()).dataFiles();
      s3.put("lake", orphanKey, "not referenced by any snapshot");
      TableMaintenance.Request orphans =
          new TableMaintenance.Request(EnumSet.of(Operation.ORPHANS), false, Set.of(orders));

      // today the object is younger than the safety window (3 days): it may be a write in progress
      assertThat(new TableMaintenance(workspace, Clock.systemUTC()).run(orphans).get(0).orphans())
          .satisfies(outcome -> assertThat(outcome.files()).isEmpty());
      assertThat(keys(prefix)).contains(orphanKey);
    }
    // four days later it is an orphan: listed through S3 and deleted; nothing referenced goes
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(4));
    try (Workspace workspace = Workspace.open(Project.load(project), later, "ops")) {
      TableMaintenance.Report report =
          new TableMaintenance(workspace, later)
              .run(
                  new TableMaintenance.Request(
                      EnumSet.of(Operation.ORPHANS), false, Set.of(orders)))
              .get(0);
      assertThat(report.orphans().files()).containsExactly("s3://lake/" + orphanKey);
      assertThat(keys(prefix)).doesNotContain(orphanKey);
      assertThat(workspace.lake().scan(orders, ReadPoint.main()).dataFiles())
          .containsExactlyElementsOf(referenced);
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
    }
  }

  private static List<String> keys(String prefix) {
    return s3.client().list(new S3Location("lake", prefix + "/")).stream()
        .map(object -> object.location().key())
        .toList();
  }

  @Test
  void aMissingBucketIsNamedWithItsEndpoint() throws Exception {
    writeProject("s3://no-such-bucket/warehouse", s3.endpoint(), SECRET);
    assertThatThrownBy(() -> Workspace.open(project))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bucket 'no-such-bucket' at " + s3.endpoint() + " does not exist")
        .hasMessageContaining("Create the bucket")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(SECRET));
  }

  @Test
  void anUnreachableEndpointIsNamed() throws Exception {
    String endpoint;
    try (ServerSocket socket = new ServerSocket(0)) {
      endpoint = "http://127.0.0.1:" + socket.getLocalPort();
    }
    writeProject("s3://lake/warehouse", endpoint, SECRET);
    assertThatThrownBy(() -> Workspace.open(project))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("the S3 endpoint " + endpoint + " cannot be reached")
        .hasMessageContaining("s3://lake")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(SECRET));
  }

  @Test
  void anEndpointLostMidRunFailsTheStepNamingItAndCommitsNothing() throws Exception {
    TestS3 lost = TestS3.start(ACCESS_KEY_ID, SECRET);
    lost.createBucket("lake");
    String endpoint = lost.endpoint();
    writeProject("s3://lake/warehouse", endpoint, SECRET);
    String before;
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      before = metadataLocation("raw", "shop_orders");

      // Iceberg retries reading the table's metadata with backoff (about a minute) before failing
      lost.close();
      write(project, "data/orders/2024-02.csv", "order_id,customer_id,amount\n4,2,1.00\n");
      RunResult second =
          new Runner(workspace)
              .run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
      StepResult step = second.steps().get(0);
      assertThat(step.status()).isEqualTo(dev.sluice.core.state.StepStatus.FAILED);
      assertThat(step.error())
          .contains("the S3 endpoint " + endpoint + " cannot be reached")
          .contains("s3://lake/warehouse")
          .doesNotContain(SECRET);
      // explained once: an explained storage failure is recognised by its type, not its text
      assertThat(step.error().split("cannot be reached", -1)).hasSize(2);
    }
    assertThat(metadataLocation("raw", "shop_orders")).isEqualTo(before);
    assertNoFileContainsTheSecret();
  }

  /** The metadata file the catalog points a table at: what a commit changes. */
  private String metadataLocation(String namespace, String table) throws Exception {
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + project.resolve(".sluice/catalog.db"));
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT metadata_location FROM iceberg_tables"
                    + " WHERE table_namespace = ? AND table_name = ?")) {
      statement.setString(1, namespace);
      statement.setString(2, table);
      try (ResultSet result = statement.executeQuery()) {
        assertThat(result.next()).as(namespace + "." + table).isTrue();
        return result.getString(1);
      }
    }
  }

  @Test
  void anUnsetCredentialReferenceIsAProjectProblem() throws Exception {
    writeProject("s3://lake/warehouse", s3.endpoint(), SECRET);
    Files.delete(project.resolve("secrets/s3-secret"));
    assertThatThrownBy(() -> Workspace.open(project))
        .isInstanceOf(dev.sluice.api.ProjectException.class)
        .hasMessageContaining("sluice.yaml")
        .hasMessageContaining("secrets/s3-secret")
        .hasMessageContaining("s3.secret_access_key");
  }

  private long snapshotOf(RunResult run, String asset) {
    return run.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow()
        .snapshotId();
  }

  private void writeProject(String warehouse, String endpoint, String secret) throws IOException {
    write(
        project,
        "sluice.yaml",
        """
        name: shop
        warehouse: %s
        s3:
          endpoint: %s
          region: us-east-1
          path_style_access: true
          access_key_id: ${file:secrets/s3-key}
          secret_access_key: ${file:secrets/s3-secret}
        """
            .formatted(warehouse, endpoint));
    write(project, "secrets/s3-key", ACCESS_KEY_ID + "\n");
    write(project, "secrets/s3-secret", secret + "\n");
    write(
        project,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/orders/*.csv
            columns:
              - {name: order_id, type: bigint}
              - {name: customer_id, type: bigint}
              - {name: amount, type: "decimal(10,2)"}
        """);
    write(
        project,
        "data/orders/2024-01.csv",
        "order_id,customer_id,amount\n1,1,10.50\n2,2,20.00\n3,1,5.25\n");
    write(
        project,
        "models/published/revenue.sql",
        """
        select customer_id, sum(amount) as revenue
        from {{ source('shop', 'orders') }}
        group by 1
        """);
  }

  /** The catalog, the run store and every other file of the project, but the secret files. */
  private void assertNoFileContainsTheSecret() throws IOException {
    assertNoFileContains(SECRET);
  }

  private void assertNoFileContains(String secret) throws IOException {
    try (Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(project.resolve("secrets"))) {
          assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(secret);
        }
      }
    }
  }

  private static String fullText(Throwable e) {
    StringWriter text = new StringWriter();
    e.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
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
}
