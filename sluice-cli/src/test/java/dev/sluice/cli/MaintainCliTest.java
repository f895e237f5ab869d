package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice maintain}: retention and snapshot expiry, in-process. */
class MaintainCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void deletesExpiredRowsAndSaysWhatItDid() throws IOException {
    write(project, "sluice.yaml", "name: kept\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: events\n    path: data/*.csv\n"
            + "    retention: {column: day, keep: 30d}\n");
    write(project, "data/a.csv", "id,day\n1,2001-01-01\n2,2999-01-01\n");
    assertThat(sluice("run").code()).isZero();

    InProcessCli.Result maintain = sluice("--json", "maintain", "--retention");

    assertThat(maintain.code()).as(maintain.err()).isZero();
    JsonNode document = JSON.readTree(maintain.out());
    assertThat(document.get("retention")).hasSize(1);
    assertThat(document.get("retention").get(0).get("table").asText()).isEqualTo("raw.shop_events");
    assertThat(document.get("retention").get(0).get("rowsDeleted").asLong()).isEqualTo(1);
    assertThat(document.get("snapshots")).isEmpty();

    InProcessCli.Result query =
        sluice("query", "select id from raw.shop_events", "--format", "csv");
    assertThat(query.out()).contains("2").doesNotContain("\n1\n");

    InProcessCli.Result audit = sluice("audit", "--action", "maintenance");
    assertThat(audit.out()).contains("raw.shop_events", "\"rows_deleted\":1");

    InProcessCli.Result again = sluice("maintain");
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("raw.shop_events", "retention (day <");
  }

  @Test
  void compactsSmallFilesOfTheSelectedTablesAndShowsFilesBeforeAndAfter() throws IOException {
    write(project, "sluice.yaml", "name: kept\nmaintenance: {min_input_files: 2}\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: events\n    path: data/*.csv\n    mode: append\n"
            + "  - name: other\n    path: other/*.csv\n    mode: append\n");
    for (int i = 0; i < 3; i++) {
      write(project, "data/" + i + ".csv", "id\n" + i + "\n");
      write(project, "other/" + i + ".csv", "id\n" + i + "\n");
      assertThat(sluice("run").code()).isZero();
    }

    InProcessCli.Result dryRun =
        sluice("--json", "maintain", "--compact", "--dry-run", "--select", "shop.events");

    assertThat(dryRun.code()).as(dryRun.err()).isZero();
    JsonNode planned = JSON.readTree(dryRun.out());
    assertThat(planned.get("dryRun").asBoolean()).isTrue();
    assertThat(planned.get("tables")).hasSize(1);
    JsonNode plan = planned.get("tables").get(0);
    assertThat(plan.get("table").asText()).isEqualTo("raw.shop_events");
    assertThat(plan.get("rewrites").get(0).get("filesBefore").asInt()).isEqualTo(3);
    assertThat(plan.get("rewrites").get(0).get("filesAfter").asInt()).isEqualTo(1);
    assertThat(plan.get("rewrites").get(0).get("snapshotId").isNull()).isTrue();

    InProcessCli.Result compact = sluice("maintain", "--compact", "--select", "shop.events");

    assertThat(compact.code()).as(compact.err()).isZero();
    assertThat(compact.out())
        .contains("raw.shop_events", "compact", "3 files rewritten into 1", "3 → 1")
        .doesNotContain("raw.shop_other");
    InProcessCli.Result query =
        sluice("query", "select count(*) as n from raw.shop_events", "--format", "csv");
    assertThat(query.out()).contains("3");
    InProcessCli.Result audit = sluice("audit", "--action", "maintenance");
    assertThat(audit.out()).contains("\"operation\":\"compact\"");
  }

  @Test
  void removesTheAuditBranchesAFailedRunLeft() throws IOException {
    write(project, "sluice.yaml", "name: kept\n");
    write(project, "sources/shop.yaml", "tables:\n  - name: events\n    path: data/*.csv\n");
    write(project, "data/a.csv", "id\n1\n");
    assertThat(sluice("run").code()).isZero();
    String failed;
    try (dev.sluice.core.Workspace workspace = dev.sluice.core.Workspace.open(project)) {
      java.time.Instant now = java.time.Instant.now();
      var runs = workspace.runStore().runs();
      failed = runs.startRun("run", java.util.List.of(), now.minus(java.time.Duration.ofHours(3)));
      runs.finishRun(
          failed,
          dev.sluice.core.state.RunStatus.FAILED,
          now.minus(java.time.Duration.ofHours(2)),
          "killed");
      org.apache.iceberg.Table table =
          workspace.lake().loadTable(dev.sluice.api.TableName.parse("raw.shop_events"));
      table
          .manageSnapshots()
          .createBranch("audit-" + failed, table.currentSnapshot().snapshotId())
          .commit();
    }

    InProcessCli.Result dryRun = sluice("maintain", "--branches", "--dry-run");
    assertThat(dryRun.code()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).contains("raw.shop_events", "audit-" + failed + " (run failed)");

    InProcessCli.Result removed = sluice("--json", "maintain", "--branches");

    assertThat(removed.code()).as(removed.err()).isZero();
    JsonNode branches = JSON.readTree(removed.out()).get("tables").get(0).get("branches");
    assertThat(branches.get("removed").asBoolean()).isTrue();
    assertThat(branches.get("branches").get(0).get("branch").asText()).isEqualTo("audit-" + failed);
    assertThat(branches.get("branches").get(0).get("runStatus").asText()).isEqualTo("failed");
    try (dev.sluice.core.Workspace workspace = dev.sluice.core.Workspace.open(project)) {
      assertThat(
              workspace
                  .lake()
                  .loadTable(dev.sluice.api.TableName.parse("raw.shop_events"))
                  .refs()
                  .keySet())
          .containsExactly("main");
    }
  }

  @Test
  void saysWhenThereIsNothingToMaintain() throws IOException {
    write(project, "sluice.yaml", "name: plain\n");
    InProcessCli.Result maintain = sluice("maintain");
    assertThat(maintain.code()).isZero();
    assertThat(maintain.err()).contains("Nothing to maintain");
  }
}
