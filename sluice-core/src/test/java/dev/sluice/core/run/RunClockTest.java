package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunEvent;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runner reads the time from the clock it is given: every timestamp a run records is its. */
class RunClockTest {
  private static final Instant NOW = Instant.parse("2031-05-04T03:02:01Z");

  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  @Test
  void runAndStepTimesComeFromTheRunnersClock() throws Exception {
    write("sluice.yaml", "name: clocked\n");
    write("seeds/countries.csv", "code,name\nDE,Germany\n");
    write("models/curated/names.sql", "select name from {{ ref('countries') }}\n");
    write(
        "models/curated/names.yaml",
        "models:\n  - name: names\n    columns:\n      - name: name\n        checks: [not_null]\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace, Clock.fixed(NOW, ZoneOffset.UTC))
              .run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(result.duration()).isEqualTo(Duration.ZERO);
      assertThat(result.steps()).extracting(StepResult::duration).containsOnly(Duration.ZERO);
      RunDetail run = workspace.runStore().runs().findRun(result.runId()).orElseThrow();
      assertThat(run.summary().startedAt()).isEqualTo(NOW);
      assertThat(run.summary().finishedAt()).isEqualTo(NOW);
      assertThat(run.steps())
          .hasSize(2)
          .allSatisfy(
              step -> {
                assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
                assertThat(step.startedAt()).isEqualTo(NOW);
                assertThat(step.finishedAt()).isEqualTo(NOW);
              });
      assertThat(run.steps()).extracting(StepDetail::asset).contains("countries", "names");
      assertThat(workspace.runStore().events().events(result.runId()))
          .isNotEmpty()
          .extracting(RunEvent::at)
          .containsOnly(NOW);
    }
  }
}
