package dev.sluice.core.maintain;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a process that loads and compacts a table, once right before a compaction's
 * commit and once right after a load: the table stays readable with every loaded row exactly once
 * (through the engine and Iceberg's generic reader), and the next load and maintenance work.
 */
class KillDuringMaintenanceTest {
  private static final TableName EVENTS = new TableName("raw", "shop_events");

  @TempDir Path project;

  @Test
  void aKilledMaintenanceLeavesTheTableReadableWithEveryRowOnce() throws Exception {
    write(project, "sluice.yaml", "name: killed\nmaintenance: {min_input_files: 2}\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + "    maintenance: {sort_by: [id]}\n"
            + "    columns:\n"
            + "      - {name: id, type: bigint}\n");
    List<String> moments = List.of("before-commit", "loaded");
    for (int round = 0; round < moments.size(); round++) {
      String killAt = moments.get(round);
      Process child =
          new ProcessBuilder(ChildJava.command(MaintainInChildProcess.class, project.toString()))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int compactions = 0;
        while (true) {
          String line = lines.readLine();
          assertThat(line).as("child output").isNotNull();
          if (line.equals("compacted")) {
            compactions++;
          }
          if (compactions >= 1 && line.startsWith(killAt)) {
            break;
          }
        }
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }

      try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "t")) {
        List<Long> ids = ids(workspace);
        assertThat(ids).doesNotHaveDuplicates().isNotEmpty();
        // whole loads only: every file holds two consecutive ids from 0
        assertThat(ids.size() % 2).isZero();
        assertThat(ids.get(ids.size() - 1)).isEqualTo(ids.size() - 1L);
        assertThat(genericCount(workspace)).isEqualTo(ids.size());
        // the next load and maintenance work on the table the kill left
        long added = 1000L + round;
        write(project, "data/after-" + killAt + ".csv", "id\n" + added + "\n");
        assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
            .isTrue();
        new TableMaintenance(workspace, Clock.systemUTC())
            .run(
                new TableMaintenance.Request(
                    java.util.EnumSet.of(TableMaintenance.Operation.COMPACT),
                    false,
                    java.util.Set.of()));
        assertThat(ids(workspace)).isEqualTo(ids);
        assertThat(allIds(workspace)).doesNotHaveDuplicates().contains(added);
      }
    }
  }

  /** The ids the child loaded (below 1000). */
  private static List<Long> ids(Workspace workspace) {
    return query(workspace, "WHERE id < 1000");
  }

  private static List<Long> allIds(Workspace workspace) {
    return query(workspace, "");
  }

  private static List<Long> query(Workspace workspace, String where) {
    TableScanFiles files = workspace.lake().scan(EVENTS, ReadPoint.main());
    try (EngineSession session = workspace.engine().openSession()) {
      session.registerTable(EVENTS, files.schema(), files.dataFiles(), files.columnMapping());
      List<Long> ids = new ArrayList<>();
      session
          .query("SELECT id FROM " + EVENTS.quoted() + " " + where + " ORDER BY id", 100_000)
          .rows()
          .forEach(row -> ids.add(((Number) row.get(0)).longValue()));
      return ids;
    }
  }

  private static long genericCount(Workspace workspace) {
    long count = 0;
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(workspace.lake().loadTable(EVENTS)).build()) {
      for (Record record : records) {
        if ((Long) record.getField("id") < 1000) {
          count++;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return count;
  }
}
