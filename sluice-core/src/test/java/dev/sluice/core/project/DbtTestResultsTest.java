package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.DbtTestFiles;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.StepDetail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Where a dbt project's tests' results and SQL go besides run_results.json: unit tests' outcomes in
 * the run history (among the checks of their model's step) and in on-run-end's {@code results}, as
 * dbt passes them; {@code sluice compile}'s data tests' SQL where dbt compile writes it.
 */
class DbtTestResultsTest {
  @TempDir Path project;

  private final Logger dbtLog = (Logger) LoggerFactory.getLogger("dev.sluice.dbt");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Level level;

  @BeforeEach
  void captureLogs() {
    level = dbtLog.getLevel();
    dbtLog.setLevel(Level.INFO);
    logs.start();
    dbtLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    dbtLog.detachAppender(logs);
    dbtLog.setLevel(level);
  }

  @Test
  void unitTestsAreInTheRunHistoryAndInOnRunEndsResults() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        on-run-end: "{% for r in results %}{{ log(r.node.resource_type ~ ' ' ~ r.node.name ~ ' '\
         ~ r.status ~ ' ' ~ r.node.unique_id, info=True) }}{% endfor %}"
        """);
    write(project, "seeds/raw_orders.csv", "id,amount\n1,10\n");
    write(
        project,
        "models/orders.sql",
        "select id, amount * 100 as amount_cents from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        unit_tests:
          - name: in_cents
            model: orders
            given:
              - input: ref('raw_orders')
                rows: [{id: 1, amount: 10}]
            expect:
              rows: [{id: 1, amount_cents: 1000}]
          - name: wrong_cents
            model: orders
            given:
              - input: ref('raw_orders')
                rows: [{id: 1, amount: 10}]
            expect:
              rows: [{id: 1, amount_cents: 10}]
        """);

    StepDetail orders;
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "build")))) {
      RunResult build = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      orders =
          workspace.runStore().runs().findRun(build.runId()).orElseThrow().steps().stream()
              .filter(step -> step.asset().equals("orders"))
              .findFirst()
              .orElseThrow();
    }

    assertThat(orders.checks())
        .extracting(CheckRecord::name, CheckRecord::status)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("unit_test in_cents", CheckStatus.PASSED),
            org.assertj.core.groups.Tuple.tuple("unit_test wrong_cents", CheckStatus.FAILED));
    assertThat(orders.checks())
        .filteredOn(check -> check.status() == CheckStatus.FAILED)
        .singleElement()
        .satisfies(check -> assertThat(check.message()).contains("actual differs from expected:"));
    assertThat(messages())
        .contains(
            "seed raw_orders success seed.shop.raw_orders",
            "model orders skipped model.shop.orders",
            "unit_test in_cents pass unit_test.shop.orders.in_cents",
            "unit_test wrong_cents fail unit_test.shop.orders.wrong_cents");
  }

  @Test
  void compileWritesTheDataTestsSqlWhereDbtCompileWritesIt() throws Exception {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n");
    write(project, "models/orders.sql", "select id, status from {{ ref('raw_orders') }}\n");
    write(
        project,
        "tests/no_lost_orders.sql",
        "select * from {{ ref('orders') }} where status = 'lost'\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: id
                data_tests: [not_null]
              - name: status
                data_tests:
                  - relationships: {to: ref('raw_orders'), field: status}
        """);

    List<Path> files;
    try (Workspace workspace = Workspace.open(project);
        EngineSession session = workspace.engine().openSession()) {
      files = DbtTestFiles.compile(workspace, session, List.of("raw_orders", "orders"));
    }

    Path compiled = project.resolve("target/compiled/shop");
    assertThat(files)
        .containsExactlyInAnyOrder(
            compiled.resolve("models/schema.yml/not_null_orders_id.sql"),
            compiled.resolve(
                "models/schema.yml/relationships_orders_status__status__ref_raw_orders_.sql"),
            compiled.resolve("tests/no_lost_orders.sql"));
    assertThat(read(compiled.resolve("models/schema.yml/not_null_orders_id.sql")))
        .isEqualTo("SELECT * FROM \"main\".\"orders\" WHERE \"id\" IS NULL");
    assertThat(read(compiled.resolve("tests/no_lost_orders.sql")))
        .contains("from \"main\".\"orders\" where status = 'lost'");
  }

  private static String read(Path file) throws java.io.IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private List<String> messages() {
    return logs.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .map(message -> message.substring(message.indexOf(": ") + 2))
        .toList();
  }
}
