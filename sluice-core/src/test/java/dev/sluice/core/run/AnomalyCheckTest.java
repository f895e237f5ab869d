package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.CheckHistoryEntry;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepMetrics;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anomaly checks judge what a run writes against the metric history: a value far outside the band
 * fails the check (an error one blocks publishing), too little history passes with a note, and an
 * accepted value counts as history.
 */
class AnomalyCheckTest {
  private static final String CHECK = "anomaly(row_count)";

  @TempDir Path project;

  private void writeProject(int rows, String checkArguments) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n    checks:\n      - anomaly: "
            + checkArguments
            + "\n");
    StringBuilder csv = new StringBuilder("id,amount\n");
    for (int i = 0; i < rows; i++) {
      csv.append(i).append(',').append(i % 7).append('\n');
    }
    write(project, "data/orders.csv", csv.toString());
  }

  /** Days of loads of about 100 rows before today, after a first load of 50,000. */
  private static void seedHistory(RunStore store, int days) {
    Instant now = Instant.now();
    for (int day = days; day >= 0; day--) {
      Instant at = now.minus(Duration.ofDays(day + 1));
      long rows = day == days ? 50_000 : 100 + (day % 3) - 1;
      String runId = store.runs().startRun("run", List.of(), at);
      long step = store.steps().startStep(runId, "shop.orders", StepKind.SOURCE, at);
      store
          .metrics()
          .record(
              step,
              "shop.orders",
              new TableProfile("raw.shop_orders", null, rows, 1000, 1, List.of()),
              at);
      store.steps().finishStep(step, StepStatus.SUCCEEDED, at, StepMetrics.empty(), null);
      store.runs().finishRun(runId, RunStatus.SUCCEEDED, at, null);
    }
  }

  private CheckHistoryEntry latest(Workspace workspace) {
    return workspace.runStore().steps().checkHistory(CHECK, "shop.orders", 1).get(0);
  }

  @Test
  void aValueOutsideTheBandBlocksPublishingAndAnAcceptedOneCountsAsHistory() throws Exception {
    writeProject(100, "{metric: row_count, min_history: 10}");
    try (Workspace workspace = Workspace.open(project)) {
      seedHistory(workspace.runStore(), 20);
      RunResult normal = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(normal.succeeded()).as(String.valueOf(normal.steps())).isTrue();
      CheckHistoryEntry passed = latest(workspace);
      assertThat(passed.check().status()).isEqualTo(CheckStatus.PASSED);
      // the first load of 50,000 rows is not history: the band is about 100
      assertThat(passed.check().message())
          .contains("row_count 100 is within the expected")
          .contains("over the last 20 writes");
    }
    writeProject(5, "{metric: row_count, min_history: 10}");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult dropped = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(dropped.succeeded()).isFalse();
      CheckHistoryEntry flagged = latest(workspace);
      assertThat(flagged.check().status()).isEqualTo(CheckStatus.FAILED);
      assertThat(flagged.check().message())
          .contains("row_count 5 is outside the expected")
          .contains("median 100")
          .contains("over the last 21 writes");
      assertThat(
              workspace
                  .lake()
                  .loadTable(new TableName("raw", "shop_orders"))
                  .currentSnapshot()
                  .summary())
          .containsEntry("total-records", "100");

      assertThat(workspace.runStore().metrics().accept(flagged.stepId(), Instant.now()))
          .isEqualTo(1);
      RunResult again = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      // one accepted value does not move the median, but it is history now
      assertThat(again.succeeded()).isFalse();
      assertThat(latest(workspace).check().message()).contains("over the last 22 writes");
    }
  }

  @Test
  void tooLittleHistoryPassesWithANoteAndAWarnAnomalyDoesNotBlock() throws Exception {
    writeProject(100, "{metric: row_count}");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.succeeded()).isTrue();
      assertThat(latest(workspace).check().status()).isEqualTo(CheckStatus.PASSED);
      assertThat(latest(workspace).check().message())
          .contains("not judged: too little history (0 of the 14 writes min_history asks)");
    }
    writeProject(5, "{metric: row_count, min_history: 5, severity: warn, sensitivity: high}");
    try (Workspace workspace = Workspace.open(project)) {
      seedHistory(workspace.runStore(), 10);
      RunResult warned = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(warned.succeeded()).isTrue();
      assertThat(latest(workspace).check().status()).isEqualTo(CheckStatus.FAILED);
      assertThat(latest(workspace).check().message()).contains("sensitivity high");
    }
  }

  @Test
  void aMinHistoryAboveTheWindowIsMetByALongerHistory() throws Exception {
    writeProject(100, "{metric: row_count, min_history: 60}");
    try (Workspace workspace = Workspace.open(project)) {
      seedHistory(workspace.runStore(), 70);
      RunResult judged = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(judged.succeeded()).as(String.valueOf(judged.steps())).isTrue();
      assertThat(latest(workspace).check().message())
          .contains("row_count 100 is within the expected")
          .contains("over the last 60 writes");
    }
  }

  @Test
  void aBadAnomalyCheckIsAProjectErrorAtItsLine() throws Exception {
    writeProject(1, "{metric: rows_count}");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sources/shop.yaml:5")
        .hasMessageContaining("Unknown anomaly metric 'rows_count'")
        .hasMessageContaining("row_count");
    writeProject(1, "{metric: null_fraction}");
    assertThatThrownBy(() -> Project.load(project))
        .hasMessageContaining("metric null_fraction needs a column");
    writeProject(1, "{metric: row_count, sensitivity: extreme}");
    assertThatThrownBy(() -> Project.load(project))
        .hasMessageContaining("sensitivity must be low, medium or high, got 'extreme'");
    writeProject(1, "{metric: row_count, min_history: 0}");
    assertThatThrownBy(() -> Project.load(project))
        .hasMessageContaining(
            "'min_history' of check 'anomaly' must be a whole number of at least 1");
  }
}
