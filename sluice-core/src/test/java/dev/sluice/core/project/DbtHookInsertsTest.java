package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A table model's post-hook that inserts into {@code {{ this }}} (dbt-project-evaluator's {@code
 * stg_*} models are empty tables its post-hooks fill): its rows join the model's new version before
 * its data tests audit it, so one commit publishes them, and a failing insert or test publishes
 * nothing.
 */
class DbtHookInsertsTest {
  @TempDir Path project;

  private static final String EMPTY_TABLE =
      "select cast(null as integer) as id, cast(null as varchar) as name where false\n";

  private void writeProject(String postHooks) {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "models/stg_nodes.sql",
        "{{ config(materialized='table', post_hook=" + postHooks + ") }}\n" + EMPTY_TABLE);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: stg_nodes
            columns:
              - name: id
                data_tests: [unique, not_null]
        """);
    write(project, "models/counted.sql", "select count(*) as nodes from {{ ref('stg_nodes') }}\n");
  }

  private RunResult run() {
    return run(project);
  }

  private List<List<String>> query(String sql) {
    return query(project, sql);
  }

  /** Runs every step of the project. */
  static RunResult run(Path project) {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }

  /** The rows of a query of the project's published tables, as text. */
  static List<List<String>> query(Path project, String sql) {
    try (Workspace workspace = Workspace.open(project)) {
      return rows(new QueryService(workspace), sql);
    }
  }

  static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }

  @Test
  void insertsIntoThisArePublishedWithTheModelsRows() {
    writeProject(
        "[\"insert into {{ this }} values (1, 'a'), (2, 'b')\","
            + " \"insert into {{ this }} (name, id) select 'c', 3\","
            + " \"{{ log('after', info=True) }}\"]");

    RunResult result = run();

    assertThat(result.steps())
        .allSatisfy(
            step ->
                assertThat(step.status())
                    .as(step.asset() + ": " + step.error())
                    .isEqualTo(StepStatus.SUCCEEDED));
    assertThat(query("select id, name from main.stg_nodes order by id"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
    // what reads the model ran after the one commit that holds the inserted rows
    assertThat(query("select nodes from main.counted")).containsExactly(List.of("3"));
  }

  @Test
  void anInsertAMacroWritesIsFoundAndEachHookIsRenderedOnce() {
    // the hook's own text does not say "insert": what it renders to does
    write(
        project,
        "macros/fill.sql",
        """
        {% macro fill(relation) %}
          {{ log('filling ' ~ relation.identifier, info=True) }}
          insert into {{ relation }} values (7, 'from a macro')
        {% endmacro %}
        """);
    writeProject("[\"{{ fill(this) }}\", \"{{ log('after publishing', info=True) }}\"]");
    Logger dbtLog = (Logger) LoggerFactory.getLogger("dev.sluice.dbt");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Level level = dbtLog.getLevel();
    dbtLog.setLevel(Level.INFO);
    logs.start();
    dbtLog.addAppender(logs);
    RunResult result;
    try (Workspace workspace = Workspace.open(project)) {
      logs.list.clear(); // loading renders each hook once, as dbt's parse renders the project
      result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    } finally {
      dbtLog.detachAppender(logs);
      dbtLog.setLevel(level);
    }

    assertThat(step(result, "stg_nodes").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(query("select id, name from main.stg_nodes"))
        .containsExactly(List.of("7", "from a macro"));
    assertThat(query("select nodes from main.counted")).containsExactly(List.of("1"));
    // rendered before publishing (to find the insert), run after it: each log() once in the run
    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
        .filteredOn(message -> message.endsWith(": filling stg_nodes"))
        .hasSize(1);
    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
        .filteredOn(message -> message.endsWith(": after publishing"))
        .hasSize(1);
  }

  @Test
  void aFailingInsertOrTestLeavesThePublishedTableAsItWas() {
    writeProject("\"insert into {{ this }} values (1, 'a'), (2, 'b')\"");
    assertThat(step(run(), "stg_nodes").status()).isEqualTo(StepStatus.SUCCEEDED);

    // an inserted row fails the unique test: the version is not published
    writeProject("\"insert into {{ this }} values (1, 'a'), (1, 'again')\"");
    StepResult audited = step(run(), "stg_nodes");
    assertThat(audited.status()).isEqualTo(StepStatus.FAILED);
    assertThat(query("select id, name from main.stg_nodes order by id"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"));

    // an insert that fails: nothing is published either
    writeProject("\"insert into {{ this }} values ('not a number', 'x')\"");
    RunResult failed = run();
    StepResult inserted = step(failed, "stg_nodes");
    assertThat(inserted.status()).isEqualTo(StepStatus.FAILED);
    assertThat(inserted.error())
        .contains("post-hook of stg_nodes (models/stg_nodes.sql:1) failed")
        .contains("Nothing was published");
    assertThat(step(failed, "counted").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(query("select id, name from main.stg_nodes order by id"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"));
  }

  @Test
  void anInsertIntoAnotherTableOrAViewIsStillRefused() {
    writeProject("\"insert into main.counted values (1)\"");
    assertThatThrownBy(this::run)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("The post-hook of model 'stg_nodes' cannot run in Sluice: it writes");

    write(
        project,
        "models/stg_nodes.sql",
        "{{ config(materialized='view', post_hook=\"insert into {{ this }} values (1, 'a')\") }}\n"
            + EMPTY_TABLE);
    assertThatThrownBy(this::run)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("The post-hook of model 'stg_nodes' cannot run in Sluice: it writes");
  }
}
