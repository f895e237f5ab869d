package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every run and every commit of a run is in the audit log, by the workspace's principal. */
class RunAuditTest {
  private static final Instant NOW = Instant.parse("2031-05-04T03:02:01Z");

  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  @Test
  void recordsTheRunItsCommitsAndThePublishOfAnAuditedWrite() throws Exception {
    write("sluice.yaml", "name: audited\n");
    write("seeds/countries.csv", "code,name\nDE,Germany\n");
    write("models/curated/names.sql", "select name from {{ ref('countries') }}\n");
    write(
        "models/curated/names.yaml",
        "models:\n  - name: names\n    columns:\n      - name: name\n        checks: [not_null]\n");
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    try (Workspace workspace = Workspace.open(Project.load(project), clock, "alice")) {
      Runner runner = new Runner(workspace, clock);
      runner.run(RunOptions.all(), RunListener.NONE);
      // the second build of the model commits to its audit branch, then publishes
      RunResult result = runner.run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();

      List<AuditRecord> records = workspace.runStore().audit().records(AuditFilter.all());
      assertThat(records)
          .allSatisfy(
              record -> {
                assertThat(record.principal()).isEqualTo("alice");
                assertThat(record.at()).isEqualTo(NOW);
              });
      List<AuditRecord> runs =
          workspace
              .runStore()
              .audit()
              .records(AuditFilter.all().withAction(AuditAction.RUN))
              .stream()
              .filter(record -> record.details().contains(result.runId()))
              .toList();
      assertThat(runs).hasSize(2);
      assertThat(runs.get(0).details()).contains("\"event\":\"started\"", "\"command\":\"run\"");
      assertThat(runs.get(1).details())
          .contains("\"event\":\"finished\"", "\"status\":\"succeeded\"");

      List<AuditRecord> modelCommits =
          workspace
              .runStore()
              .audit()
              .records(AuditFilter.all().withTable("curated.names"))
              .stream()
              .filter(record -> record.details().contains(result.runId()))
              .toList();
      assertThat(modelCommits).extracting(AuditRecord::action).containsOnly(AuditAction.COMMIT);
      assertThat(modelCommits.get(modelCommits.size() - 1).details())
          .contains("\"operation\":\"publish\"", "\"branch\":\"main\"");
      long published =
          workspace
              .lake()
              .currentSnapshot(dev.sluice.api.TableName.parse("curated.names"))
              .orElseThrow()
              .snapshotId();
      assertThat(modelCommits.get(modelCommits.size() - 1).details())
          .contains("\"snapshot_id\":" + published);
      assertThat(workspace.runStore().audit().verify().intact()).isTrue();
    }
  }
}
