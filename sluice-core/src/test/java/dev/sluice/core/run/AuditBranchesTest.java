package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.Runs;
import dev.sluice.core.state.StepKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The branches a killed run's steps left ({@code audit-<run>}, {@code audit-<run>-merge}) are
 * removed when the run is resumed, on the tables the resume builds again; other runs' branches and
 * environments' branches stay.
 */
class AuditBranchesTest {
  private static final TableName TOTALS = new TableName("curated", "totals");

  @TempDir Path project;

  @Test
  void aRunsBranchesAreNamedAfterIt() {
    assertThat(AuditBranches.runOf("audit-20261207-101500-a1b2")).contains("20261207-101500-a1b2");
    assertThat(AuditBranches.runOf("audit-20261207-101500-a1b2-merge"))
        .contains("20261207-101500-a1b2");
    assertThat(AuditBranches.runOf("dev")).isEmpty();
    assertThat(AuditBranches.runOf("main")).isEmpty();
  }

  @Test
  void resumingARunRemovesTheBranchesItLeftOnTheTablesItBuildsAgain() throws Exception {
    write(project, "sluice.yaml", "name: branches\n");
    write(project, "seeds/amounts.csv", "id,amount\n1,10\n2,20\n");
    write(project, "models/totals.sql", "select sum(amount) as total from {{ ref('amounts') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();

      // a run that died in the middle of building totals, recorded as failed, and another's
      Runs runs = workspace.runStore().runs();
      Instant now = Instant.now();
      String killed = runs.startRun("run", List.of("totals"), now);
      workspace.runStore().plans().recordPlan(killed, List.of(StepKey.of("totals")));
      String other = runs.startRun("run", List.of("totals"), now);
      Table table = workspace.lake().loadTable(TOTALS);
      long head = table.currentSnapshot().snapshotId();
      for (String branch :
          List.of("audit-" + killed, "audit-" + killed + "-merge", "audit-" + other, "staging")) {
        table.manageSnapshots().createBranch(branch, head).commit();
      }
      runs.finishRun(killed, RunStatus.FAILED, now, "killed");

      RunResult resumed = new Runner(workspace).resume(killed, RunListener.NONE);

      assertThat(resumed.succeeded()).as(String.valueOf(resumed.steps())).isTrue();
      assertThat(workspace.lake().loadTable(TOTALS).refs().keySet())
          .containsExactlyInAnyOrder("main", "audit-" + other, "staging");
      assertThat(AuditBranches.removeRunBranches(workspace.lake(), List.of(TOTALS), killed))
          .as("nothing left to remove")
          .isZero();
    }
  }
}
