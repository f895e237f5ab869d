package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.testing.CapturedLogs;
import dev.sluice.core.testing.TestS3;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file source reading {@code s3://} paths of a real S3-compatible server (s3proxy, started here):
 * new and changed objects are picked up by their ETag, a malformed object's bad rows are
 * quarantined, refused credentials fail the step naming endpoint and bucket and commit nothing, and
 * the secret key reaches no log, error, run history or catalog.
 */
class S3FileSourceTest {
  private static final String ACCESS_KEY_ID = "sluice-source-key";
  private static final String SECRET = "planted-source-secret-" + UUID.randomUUID();

  private static TestS3 s3;

  @TempDir Path project;

  private String bucket;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = TestS3.start(ACCESS_KEY_ID, SECRET);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void picksUpNewAndChangedObjectsAndQuarantinesBadRows() throws Exception {
    writeProject(SECRET);
    s3.put(bucket, "orders/2024-01.csv", "order_id,amount\n1,10.50\n2,20.00\n3,5.25\n");
    s3.put(bucket, "orders/archive/2023-12.csv", "order_id,amount\n99,1.00\n");
    s3.put(bucket, "orders/.hidden.csv", "order_id,amount\n98,1.00\n");
    s3.put(bucket, "orders/notes.txt", "not an order file");
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (Workspace workspace = Workspace.open(project)) {
        QueryService queries = new QueryService(workspace);
        StepResult first = runOrders(workspace);
        assertThat(first.status()).as(first.error()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(rows(queries, "select order_id, _source_file from raw.shop_orders order by 1"))
            .containsExactly(
                List.of("1", "s3://" + bucket + "/orders/2024-01.csv"),
                List.of("2", "s3://" + bucket + "/orders/2024-01.csv"),
                List.of("3", "s3://" + bucket + "/orders/2024-01.csv"));
        long firstSnapshot = first.snapshotId();

        // nothing changed: nothing is loaded
        StepResult again = runOrders(workspace);
        assertThat(again.status()).isIn(StepStatus.SUCCEEDED, StepStatus.SKIPPED);
        assertThat(rows(queries, "select count(*) from raw.shop_orders"))
            .containsExactly(List.of("3"));

        assertThat(new Runner(workspace).hasNewData("shop.orders")).isFalse();

        // a new object is picked up incrementally
        s3.put(bucket, "orders/2024-02.csv", "order_id,amount\n4,7.00\n");
        assertThat(new Runner(workspace).hasNewData("shop.orders")).isTrue();
        StepResult second = runOrders(workspace);
        assertThat(second.status()).as(second.error()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(rows(queries, "select order_id from raw.shop_orders order by 1"))
            .containsExactly(List.of("1"), List.of("2"), List.of("3"), List.of("4"));

        // a changed object (new ETag) replaces the rows it was loaded with
        s3.put(bucket, "orders/2024-01.csv", "order_id,amount\n1,11.50\n2,20.00\n");
        StepResult third = runOrders(workspace);
        assertThat(third.status()).as(third.error()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(rows(queries, "select order_id, amount from raw.shop_orders order by 1"))
            .containsExactly(List.of("1", "11.50"), List.of("2", "20.00"), List.of("4", "7.00"));

        // a malformed object: its good rows load, its bad ones are quarantined with a reason
        s3.put(
            bucket,
            "orders/2024-03.csv",
            "order_id,amount\n5,1.00\n6,not-a-number\n7,2.00,extra\n8,3.00\n");
        StepResult fourth = runOrders(workspace);
        assertThat(fourth.status()).as(fourth.error()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(fourth.rejectedRows()).isEqualTo(2);
        assertThat(rows(queries, "select count(*) from raw.shop_orders"))
            .containsExactly(List.of("5"));
        assertThat(
                rows(
                    queries,
                    "select _source_file, _line from raw.shop_orders__rejected order by 2"))
            .containsExactly(
                List.of("s3://" + bucket + "/orders/2024-03.csv", "3"),
                List.of("s3://" + bucket + "/orders/2024-03.csv", "4"));

        // the first load is still readable
        assertThat(
                rows(
                    queries,
                    "select count(*) from raw.shop_orders",
                    ReadPoint.snapshot(firstSnapshot)))
            .containsExactly(List.of("3"));
      }
      assertThat(logs.size()).isPositive();
      assertThat(logs.text()).doesNotContain(SECRET);
    }
    assertNoFileContains(SECRET);
  }

  @Test
  void refusedCredentialsFailTheStepNamingEndpointAndBucketAndCommitNothing() throws Exception {
    String wrong = "planted-wrong-source-secret-" + UUID.randomUUID();
    writeProject(wrong);
    s3.put(bucket, "orders/2024-01.csv", "order_id,amount\n1,10.50\n");
    try (CapturedLogs logs = CapturedLogs.capture();
        Workspace workspace = Workspace.open(project)) {
      StepResult step = runOrders(workspace);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("bucket '" + bucket + "' at " + s3.endpoint())
          .contains("denied")
          .contains("secret_access_key")
          .doesNotContain(wrong);
      assertThat(workspace.lake().findTable(new TableName("raw", "shop_orders"))).isEmpty();
      assertThat(logs.text()).doesNotContain(wrong);
    }
    assertNoFileContains(wrong);
  }

  @Test
  void anUnresolvableCredentialReferenceIsReportedByValidate() throws Exception {
    writeProject(SECRET);
    write(
        project,
        "sources/shop.yaml",
        Files.readString(project.resolve("sources/shop.yaml"))
            .replace(
                "tables:",
                "s3:\n  access_key_id: ${env:SHOP_S3_KEY}\n  secret_access_key:"
                    + " ${env:SHOP_S3_SECRET}\ntables:"));
    Project loaded = Project.load(project);
    assertThatThrownBy(() -> loaded.checkSecrets(name -> null))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sources/shop.yaml:2")
        .hasMessageContaining("SHOP_S3_KEY")
        .hasMessageContaining("SHOP_S3_SECRET");
  }

  @Test
  void aReplayReadsTheObjectsModifiedInTheWindowAgainWithoutDuplicates() throws Exception {
    writeProject(SECRET);
    s3.put(bucket, "orders/a.csv", "order_id,amount\n1,1.00\n2,2.00\n");
    s3.put(bucket, "orders/b.csv", "order_id,amount\n3,3.00\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(runOrders(workspace).status()).isEqualTo(StepStatus.SUCCEEDED);
      // objects carry the server's time of their last write: a window around today holds both
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      ReplayWindow window =
          new ReplayWindow(today.minusDays(1).toString(), today.plusDays(1).toString());
      StepResult replayed = step(replay(workspace, window));
      assertThat(replayed.status()).as(String.valueOf(replayed)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(replayed.detail()).contains("2 files reloaded");
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select order_id from raw.shop_orders order by 1"))
          .containsExactly(List.of("1"), List.of("2"), List.of("3"));
      StepResult empty = step(replay(workspace, new ReplayWindow("2001-01-01", "2001-12-31")));
      assertThat(empty.detail()).contains("nothing in the window");
      assertThat(rows(queries, "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
    }
  }

  private static RunResult replay(Workspace workspace, ReplayWindow window) {
    RunOptions options =
        new RunOptions(List.of("source:shop"), List.of(), false).withReplay(window);
    return new Runner(workspace)
        .run(options, RunListener.NONE, "ingest --replay " + window.describe());
  }

  private static StepResult step(RunResult run) {
    return run.steps().stream()
        .filter(step -> step.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step shop.orders in " + run.steps()));
  }

  @Test
  void theExampleOfTheDocsIsAValidSourceFile() throws Exception {
    String page = Files.readString(Path.of("../docs/connectors/file.md"));
    int section = page.indexOf("## Files in S3-compatible storage");
    int start = page.indexOf("```yaml\n", section) + "```yaml\n".length();
    String example = page.substring(start, page.indexOf("```", start));
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "sources/landing.yaml", example);
    Project loaded = Project.load(project);
    assertThat(loaded.sourceTable("landing", "orders").orElseThrow().origin())
        .isEqualTo("s3://landing/orders/*.csv");
    assertThat(loaded.sourceTable("landing", "orders").orElseThrow().options())
        .containsEntry("endpoint", "http://minio:9000")
        .containsEntry("secret_access_key", "${env:LANDING_S3_SECRET}");
  }

  private StepResult runOrders(Workspace workspace) {
    RunResult result =
        new Runner(workspace).run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
    return result.steps().stream()
        .filter(step -> step.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow();
  }

  private void writeProject(String secret) throws IOException {
    bucket = "landing-" + UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket(bucket);
    write(
        project,
        "sluice.yaml",
        """
        name: shop
        s3:
          endpoint: %s
          path_style_access: true
          access_key_id: ${file:secrets/s3-key}
          secret_access_key: ${file:secrets/s3-secret}
        """
            .formatted(s3.endpoint()));
    write(project, "secrets/s3-key", ACCESS_KEY_ID + "\n");
    write(project, "secrets/s3-secret", secret + "\n");
    write(
        project,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: s3://%s/orders/*.csv
            mode: append
            on_error: quarantine
            retries: 0
            columns:
              - {name: order_id, type: bigint}
              - {name: amount, type: "decimal(10,2)"}
        """
            .formatted(bucket));
  }

  /** The catalog, the run store and every other file of the project, but the secret files. */
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
