package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step of a run says where its time went by phase (the benchmark's breakdown): the phases of
 * a table model's write-audit-publish are each measured, and they add up to the whole step.
 */
class StepPhasesTest {
  @TempDir Path project;

  @Test
  void aTableModelsStepIsBrokenDownByPhase() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "models/base.sql", "{{ config(materialized='table') }}\nselect 1 as x\n");
    write(
        project,
        "models/checked.sql",
        "{{ config(materialized='table') }}\nselect x from {{ ref('base') }}\n");
    write(
        project,
        "models/checked.yaml",
        "models:\n  - name: checked\n    checks:\n      - row_count: {min: 1}\n");
    try (Workspace workspace = Workspace.open(project)) {
      for (int run = 0; run < 2; run++) {
        RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
        assertThat(result.succeeded()).isTrue();
        for (StepResult step : result.steps()) {
          assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
          assertThat(step.phases()).containsOnlyKeys(StepPhase.values());
          Duration whole = step.phases().values().stream().reduce(Duration.ZERO, Duration::plus);
          // the whole step holds the time measured inside it
          assertThat(whole).isGreaterThanOrEqualTo(step.duration());
          for (StepPhase phase :
              List.of(
                  StepPhase.ENGINE,
                  StepPhase.DATA_FILE,
                  StepPhase.MANIFEST,
                  StepPhase.METADATA,
                  StepPhase.CATALOG,
                  StepPhase.RUN_STORE)) {
            assertThat(step.phases().get(phase)).as(step.asset() + " " + phase).isPositive();
          }
        }
        StepResult checked =
            result.steps().stream().filter(s -> s.asset().equals("checked")).findFirst().get();
        assertThat(checked.phases().get(StepPhase.CHECKS)).isPositive();
        if (run == 1) {
          // the second build writes to the audit branch and publishes it
          assertThat(checked.phases().get(StepPhase.PUBLISH)).isPositive();
        }
      }
    }
  }
}
