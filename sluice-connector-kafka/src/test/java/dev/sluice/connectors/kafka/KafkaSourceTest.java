package dev.sluice.connectors.kafka;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connectors.kafka.TestKafka.Message;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose source is a topic of a real Kafka broker, run by the real runner into Iceberg
 * tables: the offsets are committed in the table's snapshot with the rows, so a load that fails
 * before its commit is read again and every record is loaded once.
 */
class KafkaSourceTest {
  @TempDir Path project;

  @AfterAll
  static void stopKafka() {
    TestKafka.stop();
  }

  @Test
  void loadsTopicsExactlyOnceIntoIcebergAcrossAFailedLoad() throws Exception {
    String topic = TestKafka.newTopic("shop-events", 2);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "a", "{\"id\": 1, \"kind\": \"click\"}"),
            new Message(1, "b", "{\"id\": 2, \"kind\": \"view\"}"),
            new Message(0, "c", "{\"id\": \"three\", \"kind\": \"view\"}"),
            new Message(1, "d", "{\"id\": 4, \"kind\": \"buy\"}")));
    writeProject(topic, "[not_null, unique]");

    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      assertThat(step(first).detail())
          .isEqualTo("3 rows loaded, 1 rejected rows in raw.shop_events__rejected");
      assertThat(
              rows(queries, "select id, kind, _key, _partition from raw.shop_events order by id"))
          .containsExactly(
              List.of("1", "click", "a", "0"),
              List.of("2", "view", "b", "1"),
              List.of("4", "buy", "d", "1"));
      assertThat(rows(queries, "select _line, _reason from raw.shop_events__rejected"))
          .containsExactly(
              List.of(
                  "1",
                  "topic '"
                      + topic
                      + "' partition 0 offset 1: column \"id\": \"three\" is not a valid"
                      + " INTEGER"));
      assertThat(
              workspace
                  .lake()
                  .currentSnapshot(new TableName("raw", "shop_events"))
                  .orElseThrow()
                  .summary()
                  .get("sluice.source-state"))
          .contains("\"offset." + topic + ":0\":\"2\"", "\"offset." + topic + ":1\":\"2\"");

      // a duplicate id fails the blocking unique check: the load is staged but not committed
      TestKafka.produce(
          topic,
          List.of(
              new Message(0, "e", "{\"id\": 5, \"kind\": \"click\"}"),
              new Message(1, "f", "{\"id\": 1, \"kind\": \"again\"}")));
      RunResult failed = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(failed.succeeded()).isFalse();
      assertThat(step(failed).status()).isEqualTo(StepStatus.FAILED);
      assertThat(rows(queries, "select count(*) from raw.shop_events"))
          .containsExactly(List.of("3"));
    }

    // the check is relaxed, and the next run reads the same records again, once
    writeProject(topic, "[not_null]");
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      RunResult retried = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(retried.succeeded()).as(String.valueOf(retried.steps())).isTrue();
      assertThat(step(retried).detail()).isEqualTo("2 rows appended");
      assertThat(
              rows(
                  queries,
                  "select count(*), count(distinct (_partition, _offset)) from raw.shop_events"))
          .containsExactly(List.of("5", "5"));

      RunResult idle = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(step(idle).detail()).isEqualTo("no new rows");
      assertThat(rows(queries, "select count(*) from raw.shop_events"))
          .containsExactly(List.of("5"));

      TestKafka.produce(topic, List.of(new Message(0, "g", "{\"id\": 6, \"kind\": \"buy\"}")));
      RunResult next = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(step(next).detail()).isEqualTo("1 row appended");
      assertThat(rows(queries, "select id from raw.shop_events order by id"))
          .containsExactly(
              List.of("1"), List.of("1"), List.of("2"), List.of("4"), List.of("5"), List.of("6"));
    }
  }

  @Test
  void ingestReplayOfATimestampWindowMergesTheRecordsAgainIdempotently() throws Exception {
    String topic = TestKafka.newTopic("shop-replay", 2);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "a", "{\"id\": 1, \"kind\": \"click\"}"),
            new Message(1, "b", "{\"id\": 2, \"kind\": \"view\"}"),
            new Message(0, "c", "{\"id\": 3, \"kind\": \"buy\"}")));
    writeProject(topic, "[not_null]");
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      // what 'sluice ingest --source shop --replay --from 2000-01-01' runs
      ReplayWindow window = new ReplayWindow("2000-01-01", null);
      RunOptions replay =
          new RunOptions(List.of("source:shop"), List.of(), false).withReplay(window);
      for (int time = 1; time <= 2; time++) {
        RunResult replayed =
            new Runner(workspace)
                .run(
                    replay, RunListener.NONE, "ingest --source shop --replay " + window.describe());
        assertThat(replayed.succeeded()).as(String.valueOf(replayed.steps())).isTrue();
        assertThat(step(replayed).detail())
            .isEqualTo(
                "replay of [2000-01-01, newest]: 3 rows merged on _topic, _partition, _offset");
        assertThat(
                rows(
                    queries,
                    "select count(*), count(distinct (_partition, _offset)) from raw.shop_events"))
            .containsExactly(List.of("3", "3"));
      }
      // the committed offsets did not move: the next ordinary load reads only new records
      assertThat(step(new Runner(workspace).run(RunOptions.all(), RunListener.NONE)).detail())
          .isEqualTo("no new rows");
      TestKafka.produce(topic, List.of(new Message(1, "d", "{\"id\": 4, \"kind\": \"buy\"}")));
      assertThat(step(new Runner(workspace).run(RunOptions.all(), RunListener.NONE)).detail())
          .isEqualTo("1 row appended");
      assertThat(rows(queries, "select id from raw.shop_events order by id"))
          .containsExactly(List.of("1"), List.of("2"), List.of("3"), List.of("4"));
    }
  }

  @Test
  void theSaslPasswordAppearsInNoLogRunHistoryOrFile() throws Exception {
    String password = "kafka-Secret-8731";
    write(project, "secrets/kafka-password", password + "\n");
    write(project, "sluice.yaml", "name: shop\n");
    // port 1 has no broker: the loads fail
    write(
        project,
        "sources/shop.yaml",
        """
        connector: kafka
        options:
          security_protocol: sasl_plaintext
          sasl_mechanism: scram-sha-512
          sasl_username: loader
          sasl_password: ${file:secrets/kafka-password}
          timeout: 3s
        tables:
          - name: other
            options:
              bootstrap_servers: 127.0.0.1:1
        """);
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Level level = root.getLevel();
    List<ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent>> console =
        new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(console::add);
    console.forEach(root::detachAppender);
    List<ch.qos.logback.classic.Logger> quieted = new ArrayList<>();
    for (String name : List.of("org.apache.kafka", "kafka", "state.change.logger")) {
      ch.qos.logback.classic.Logger logger =
          (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name);
      logger.setLevel(null);
      quieted.add(logger);
    }
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    root.addAppender(logs);
    RunResult run;
    try (Workspace workspace = Workspace.open(project)) {
      run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).isFalse();
      assertThat(run.steps())
          .filteredOn(step -> step.asset().equals("shop.other"))
          .singleElement()
          .satisfies(step -> assertThat(step.error()).contains("kafka at 127.0.0.1:1"));
      assertThat(String.valueOf(workspace.runStore().runs().findRun(run.runId()).orElseThrow()))
          .doesNotContain(password);
      assertThat(String.valueOf(workspace.runStore().events().events(run.runId())))
          .doesNotContain(password);
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
      quieted.forEach(logger -> logger.setLevel(ch.qos.logback.classic.Level.ERROR));
      console.forEach(root::addAppender);
    }
    assertThat(run.steps()).allSatisfy(step -> assertThat(step.status()).isNotNull());
    assertThat(logs.list).isNotEmpty();
    for (ch.qos.logback.classic.spi.ILoggingEvent event : logs.list) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null
                  ? ""
                  : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(
                      event.getThrowableProxy()));
      assertThat(text).as(event.getLoggerName()).doesNotContain(password);
    }
    try (java.util.stream.Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(project.resolve("secrets"))) {
          assertThat(
                  new String(
                      Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(password);
        }
      }
    }
  }

  private void writeProject(String topic, String checks) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: kafka
        options:
          bootstrap_servers: %s
        tables:
          - name: events
            on_error: quarantine
            options:
              topic: %s
            columns:
              - name: id
                type: int
                checks: %s
              - name: kind
                type: string
        """
            .formatted(TestKafka.bootstrapServers(), topic, checks));
  }

  private static StepResult step(RunResult run) {
    return run.steps().stream()
        .filter(step -> step.asset().equals("shop.events"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step shop.events in " + run.steps()));
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
