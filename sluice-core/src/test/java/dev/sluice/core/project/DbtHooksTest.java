package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A dbt project's hooks run as dbt runs them: on-run-start before the first step, a model's
 * pre-hooks (the config tree's, then the model's own) before its SQL, its post-hooks after its rows
 * are published, on-run-end after the last step with the results; what Sluice cannot run as dbt
 * does (a hook that writes, grants or sets) is a problem at its line.
 */
class DbtHooksTest {
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
  void hooksRunInDbtsOrderAndPostHooksReadThePublishedRows() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        on-run-start: "{{ log('on-run-start ' ~ project_name, info=True) }}"
        on-run-end:
          - "{% for r in results %}{{ log('result ' ~ r.node.name ~ ' ' ~ r.status, info=True) }}{% endfor %}"
          - "{{ log('schemas ' ~ (schemas | join(',')), info=True) }}"
        models:
          shop:
            +pre-hook: "{{ log('tree pre ' ~ this, info=True) }}"
            marts:
              +post-hook:
                - "{{ log('tree post ' ~ this, info=True) }}"
                - "select error('not published yet') where (select count(*) from {{ this }}) <> 3"
        seeds:
          shop:
            +post-hook: "select error('seed not published') where (select count(*) from {{ this }}) = 0"
        """);
    write(project, "seeds/raw_orders.csv", "id,amount\n1,10\n2,20\n3,30\n");
    write(
        project,
        "models/marts/orders.sql",
        "{{ config(materialized='table', pre_hook=\"select 1 as ready\") }}\n"
            + "select id, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/marts/orders.yml",
        """
        version: 2
        models:
          - name: orders
            config:
              pre_hook: "{{ log('model pre ' ~ this, info=True) }}"
              post-hook: ["{{ log('model post', info=True) }}"]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      workspace.project(); // loaded: its renderings logged too, as dbt's parse does
      logs.list.clear();

      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(messages())
          .containsExactly(
              "on-run-start shop",
              "tree pre \"main\".\"orders\"",
              "model pre \"main\".\"orders\"",
              "tree post \"main\".\"orders\"",
              "model post",
              "result raw_orders success",
              "result orders success",
              "schemas main");
    }
  }

  @Test
  void aFailingHookFailsTheStepWithItsFileLineAndSql() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "models/before.sql",
        "{{ config(materialized='table', pre_hook=\"select error('not ready')\") }}\n"
            + "select 1 as id\n");
    write(
        project,
        "models/after.sql",
        "{{ config(materialized='table', post_hook=\"select error('audit failed')\") }}\n"
            + "select 1 as id\n");
    write(project, "models/downstream.sql", "select id from {{ ref('after') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      StepResult before = step(result, "before");
      assertThat(before.status()).isEqualTo(StepStatus.FAILED);
      assertThat(before.error())
          .contains("pre-hook of before (models/before.sql:1) failed")
          .contains("not ready")
          .contains("select error('not ready')");
      // the pre-hook failed before the model's SQL ran: nothing was built
      assertThat(workspace.lake().findTable(TableName.parse("main.before"))).isEmpty();

      StepResult after = step(result, "after");
      assertThat(after.status()).isEqualTo(StepStatus.FAILED);
      assertThat(after.error())
          .contains("post-hook of after (models/after.sql:1) failed")
          .contains("audit failed")
          .contains("stays published");
      // a post-hook runs after publishing and cannot undo it, as in dbt
      assertThat(workspace.lake().findTable(TableName.parse("main.after"))).isPresent();
      assertThat(step(result, "downstream").status()).isEqualTo(StepStatus.SKIPPED);
    }
  }

  @Test
  void hooksThatWouldWriteGrantOrSetAreProblemsAtTheirLines() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        on-run-end:
          - "{{ log('done', info=True) }}"
          - "create table audit as select 1 as x"
        models:
          shop:
            +post-hook:
              - "grant select on {{ this }} to reporter"
              - "analyze {{ this }}"
            +pre-hook: "set threads = 1"
        """);
    write(
        project,
        "models/orders.sql",
        "select 1 as id\n" + "{{ config(post_hook=\"insert into audit select 1, now()\") }}\n");

    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.location().toString(), DbtHooksTest::messageAndHint)
                    .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                            "dbt_project.yml:4",
                            "The on-run-end hook cannot run in Sluice: it writes (create) | as a model of their own"),
                        org.assertj.core.groups.Tuple.tuple(
                            "dbt_project.yml:8",
                            "The post-hook of model 'orders' cannot run in Sluice: it would grant"
                                + " privileges | policies.yaml"),
                        org.assertj.core.groups.Tuple.tuple(
                            "dbt_project.yml:10",
                            "The pre-hook of model 'orders' cannot run in Sluice: it would change a"
                                + " setting of DuckDB | --threads"),
                        org.assertj.core.groups.Tuple.tuple(
                            "models/orders.sql:2",
                            "The post-hook of model 'orders' cannot run in Sluice: it writes (insert)"
                                + " | as a model of their own")));
  }

  /** A problem's message up to its first ',' or ';', and the key words of its hint. */
  private static String messageAndHint(Problem problem) {
    String message = problem.message();
    for (char stop : new char[] {',', ';'}) {
      message = message.indexOf(stop) < 0 ? message : message.substring(0, message.indexOf(stop));
    }
    String hint = problem.hint() == null ? "" : problem.hint();
    for (String key : List.of("policies.yaml", "--threads", "as a model of their own")) {
      if (hint.contains(key)) {
        return message + " | " + key;
      }
    }
    return message;
  }

  @Test
  void hooksSeeThisAsDbtsRelationAndTheirRefsAreDependencies() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        on-run-start: "{{ log('start ' ~ flags.WHICH, info=True) }}"
        on-run-end: "{{ log('end ' ~ (results | length), info=True) }}"
        """);
    write(project, "seeds/raw_orders.csv", "id,amount\n1,10\n2,20\n");
    write(project, "models/customers.sql", "select 1 as id\n");
    write(project, "models/orders.sql", "select id, amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/orders.yml",
        """
        version: 2
        models:
          - name: orders
            config:
              materialized: table
              pre_hook: "{{ log('this ' ~ this.name ~ ' ' ~ this.identifier ~ ' ' ~ this.schema ~ ' ' ~ this.database ~ ' ' ~ this.render() ~ ' ' ~ this.include(database=false), info=True) }}"
              post_hook: "select error('no customer') where (select count(*) from {{ ref('customers') }}) = 0 or (select count(*) from {{ this.render() }}) <> 2"
            columns:
              - name: id
                data_tests: [not_null]
        """);
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "build")))) {
      // as in dbt, the model depends on what its hooks read with ref()
      assertThat(workspace.project().graph().upstream("orders"))
          .containsExactlyInAnyOrder("raw_orders", "customers");
      logs.list.clear();

      RunResult result =
          new Runner(workspace)
              // +orders: what orders' hook reads is built first
              .run(new RunOptions(List.of("+orders"), List.of(), false), RunListener.NONE);

      assertThat(step(result, "orders").status())
          .as(step(result, "orders").error())
          .isEqualTo(StepStatus.SUCCEEDED);
      assertThat(messages())
          .contains(
              "this orders orders main "
                  + workspace.project().dbt().targetDatabase()
                  + " \"main\".\"orders\" \"main\".\"orders\"");
    }

    // sluice test runs the on-run hooks around its tests, as dbt test does
    try (Workspace workspace =
        Workspace.open(Project.load(project, Invocation.NONE.withFlag("WHICH", "test")))) {
      logs.list.clear();
      RunResult tested = new Runner(workspace).test(RunOptions.all(), RunListener.NONE);
      assertThat(tested.succeeded()).as(tested.toString()).isTrue();
      // its results are the tests' alone: orders' not_null
      assertThat(messages()).containsSubsequence("start test", "end 1");
    }
  }

  private List<String> messages() {
    return logs.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .map(message -> message.substring(message.indexOf(": ") + 2))
        .toList();
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow();
  }
}
