package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transient failures are retried with growing delays; slow steps are cancelled at their timeout.
 */
class RetryAndTimeoutTest {
  @TempDir Path project;

  @Test
  void transientFailuresAreRetriedWithBackoffUntilTheyPass() throws IOException {
    write(project, "sluice.yaml", "name: retries\nretries: 1\n");
    // a model reads only its inputs (docs/security.md): the transient failure is an input's data
    // file that is missing until the third attempt
    write(project, "seeds/numbers.csv", "id\n1\n2\n");
    write(
        project,
        "models/curated/late_arrivals.sql",
        "{{ config(retries=4) }}\nselect * from {{ ref('numbers') }}\n");
    write(
        project,
        "models/curated/never.sql",
        "{{ config(retries=2) }}\nselect * from no_such_table\n");
    Path file;
    Path aside = project.resolve("aside.parquet");
    try (Workspace workspace = Workspace.open(project)) {
      new Runner(workspace)
          .run(new RunOptions(List.of("numbers"), List.of(), false), RunListener.NONE);
      Table numbers = workspace.lake().loadTable(TableName.parse("curated.numbers"));
      file =
          Path.of(
              SnapshotChanges.builderFor(numbers)
                  .build()
                  .addedDataFiles()
                  .iterator()
                  .next()
                  .location());
    }
    Files.move(file, aside);
    Path late = file;
    List<Duration> delays = new ArrayList<>();
    RunListener listener =
        new RunListener() {
          @Override
          public void stepRetrying(String asset, int attempt, Duration delay, String reason) {
            if (asset.equals("late_arrivals")) {
              delays.add(delay);
              assertThat(reason).containsIgnoringCase("IO Error");
              if (attempt == 3) {
                try {
                  Files.move(aside, late);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            }
          }
        };
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace, Duration.ofMillis(20), Duration.ofSeconds(1))
              .run(new RunOptions(List.of("late_arrivals", "never"), List.of(), false), listener);
      StepResult arrivals = step(result, "late_arrivals");
      assertThat(arrivals.status())
          .as(String.valueOf(arrivals.error()))
          .isEqualTo(StepStatus.SUCCEEDED);
      assertThat(arrivals.rowsOut()).isEqualTo(2);
      assertThat(delays).hasSize(2);
      assertThat(delays.get(0)).isBetween(Duration.ofMillis(15), Duration.ofMillis(25));
      assertThat(delays.get(1)).isBetween(Duration.ofMillis(30), Duration.ofMillis(50));
      // a SQL error is not transient: one attempt, no retries
      StepResult never = step(result, "never");
      assertThat(never.status()).isEqualTo(StepStatus.FAILED);
      assertThat(never.error()).contains("no_such_table");
    }
  }

  @Test
  void aStepThatOutlastsItsTimeoutIsCancelledAndPublishesNothing() throws IOException {
    write(project, "sluice.yaml", "name: timeouts\n");
    write(
        project,
        "models/curated/slow.sql",
        "select sum(a.range * b.range) as total from range(200000) a, range(200000) b\n");
    write(
        project,
        "models/curated/properties.yaml",
        "models:\n  - name: slow\n    timeout: 1s\n    retries: 3\n");
    try (Workspace workspace = Workspace.open(project)) {
      long started = System.nanoTime();
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      StepResult slow = step(result, "slow");
      assertThat(slow.status()).isEqualTo(StepStatus.FAILED);
      assertThat(slow.error()).contains("timed out after 1s");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
      assertThat(
              workspace
                  .lake()
                  .findTable(dev.sluice.api.TableName.parse("curated.slow"))
                  .map(t -> t.currentSnapshot()))
          .satisfiesAnyOf(
              table -> assertThat(table).isEmpty(), table -> assertThat(table.get()).isNull());
    }
  }

  @Test
  void badRetryAndTimeoutSettingsAreProjectErrors() throws IOException {
    write(project, "sluice.yaml", "name: bad\nretries: many\n");
    write(project, "models/curated/m.sql", "select 1 as x\n");
    write(project, "models/curated/properties.yaml", "models:\n  - name: m\n    timeout: soon\n");
    assertThatThrownBy(() -> dev.sluice.core.project.Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:2")
        .hasMessageContaining("'retries' must be a whole number")
        .hasMessageContaining("models/curated/properties.yaml:3")
        .hasMessageContaining("'timeout' must be a duration");
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }
}
