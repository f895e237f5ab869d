package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first build of a table that fails, is blocked by its checks or is killed leaves no table at
 * all, not an empty one that readers would take for a source or model without rows: the table is
 * created by the commit that holds its first data.
 */
class FirstBuildTest {
  private static final TableName ORDERS = new TableName("raw", "shop_orders");

  @TempDir Path project;

  @Test
  void aFirstLoadBlockedByItsChecksLeavesNoTable() throws Exception {
    writeSource("id,name\n1,a\n,b\n");
    try (Workspace workspace = Workspace.open(project)) {
      StepResult blocked = step(run(workspace), "shop.orders");
      assertThat(blocked.status()).isEqualTo(StepStatus.FAILED);
      assertThat(blocked.error()).contains("not_null");
      assertThat(workspace.lake().findTable(ORDERS)).isEmpty();

      write(project, "data/a.csv", "id,name\n1,a\n2,b\n");
      assertThat(step(run(workspace), "shop.orders").status()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(workspace.lake().loadTable(ORDERS).currentSnapshot().summary())
          .containsEntry("total-records", "2");
    }
  }

  @Test
  void aModelWhoseFirstBuildFailsOrIsBlockedLeavesNoTable() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "models/broken.sql", "select error('boom') as x from range(3)\n");
    write(project, "models/too_small.sql", "select 1 as x\n");
    write(
        project,
        "models/too_small.yaml",
        "models:\n  - name: too_small\n    checks:\n      - row_count: {min: 5}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace);
      assertThat(step(result, "broken").status()).isEqualTo(StepStatus.FAILED);
      assertThat(step(result, "too_small").status()).isEqualTo(StepStatus.FAILED);
      assertThat(workspace.lake().findTable(new TableName("curated", "broken"))).isEmpty();
      assertThat(workspace.lake().findTable(new TableName("curated", "too_small"))).isEmpty();
    }
  }

  @Test
  void aFirstLoadKilledBeforeItsCommitLeavesNoTable() throws Exception {
    writeSource("id,name\n1,a\n2,b\n");
    killAtCommit(ORDERS);
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.lake().findTable(ORDERS)).isEmpty();
    }
  }

  @Test
  void aPartitionedModelWhoseFirstPartitionsAreBlockedLeavesNoTable() throws Exception {
    writePartitionedModel("null::integer");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace);
      assertThat(result.steps()).hasSize(3);
      assertThat(result.steps())
          .allSatisfy(
              step -> {
                assertThat(step.status()).isEqualTo(StepStatus.FAILED);
                assertThat(step.error()).contains("not_null");
              });
      assertThat(workspace.lake().findTable(DAILY)).isEmpty();
    }
    writePartitionedModel("1");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult fixed = run(workspace);
      assertThat(fixed.succeeded()).as(String.valueOf(fixed.steps())).isTrue();
      assertThat(workspace.lake().loadTable(DAILY).currentSnapshot().summary())
          .containsEntry("total-records", "3");
    }
  }

  @Test
  void aFirstPartitionBuildKilledBeforeItsCommitLeavesNoTable() throws Exception {
    writePartitionedModel("1");
    killAtCommit(DAILY);
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.lake().findTable(DAILY)).isEmpty();
    }
  }

  private static final TableName DAILY = new TableName("curated", "daily");

  /** A model of one row per day, partitioned by day, over the three days before today. */
  private void writePartitionedModel(String amount) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "models/daily.sql",
        "select cast('{{ start }}' as date) as event_date, " + amount + " as amount\n");
    write(
        project,
        "models/daily.yaml",
        """
        models:
          - name: daily
            materialized: incremental_by_time_range
            partitions:
              - column: event_date
                grain: day
                start: %s
            columns:
              - name: amount
                checks: [not_null]
        """
            .formatted(java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(3)));
  }

  /** Runs the project in a child process and kills it when it is about to commit {@code table}. */
  private void killAtCommit(TableName table) throws Exception {
    Process child =
        new ProcessBuilder(
                ChildJava.command(RunUntilCommit.class, project.toString(), table.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = lines.readLine();
      while (line != null && !line.startsWith("committing")) {
        line = lines.readLine();
      }
      assertThat(line).as("the child reached the commit").isEqualTo("committing " + table);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private void writeSource(String csv) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/*.csv
            mode: append
            columns:
              - name: id
                checks: [not_null]
        """);
    write(project, "data/a.csv", csv);
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
}
