package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.engine.duckdb.DuckDbEngine;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a process that keeps committing to a table, at varying moments, and checks that
 * the table stays readable with exactly the batches that were published, never a partial one.
 */
class KillMidCommitTest {
  private static final TableName EVENTS = new TableName("raw", "events");

  @TempDir Path directory;

  @Test
  void killedWriterLeavesTheLastPublishedSnapshotReadable() throws Exception {
    long[] extraDelaysMillis = {0, 37, 113};
    long lastCount = 0;
    for (long extraDelay : extraDelaysMillis) {
      Process child =
          new ProcessBuilder(ChildJava.command(CommitLoop.class, directory.toString()))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int published = 0;
        while (published < 3) {
          String line = lines.readLine();
          assertThat(line).as("child output").isNotNull();
          if (line.startsWith("published")) {
            published++;
          }
        }
        TimeUnit.MILLISECONDS.sleep(extraDelay);
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }

      try (Lake lake =
              Lake.open(
                  directory.resolve("warehouse"),
                  "jdbc:sqlite:" + directory.resolve("catalog.db"),
                  Map.of());
          DuckDbEngine engine = DuckDbEngine.start(directory.resolve("spill"), "512MB");
          EngineSession session = engine.openSession()) {
        Table table = lake.loadTable(EVENTS);
        TableScanFiles scan = lake.scan(EVENTS, ReadPoint.main());
        session.registerTable(EVENTS, scan.schema(), scan.dataFiles());
        List<Object> stats =
            session
                .query(
                    "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM " + EVENTS.quoted(),
                    1)
                .rows()
                .get(0);
        long count = ((Number) stats.get(0)).longValue();
        assertThat(count % 1000).as("only whole batches are visible").isZero();
        assertThat(stats.get(1)).as("no duplicates").isEqualTo(count);
        assertThat(((Number) stats.get(2)).longValue()).isZero();
        assertThat(((Number) stats.get(3)).longValue()).isEqualTo(count - 1);
        assertThat(count).isGreaterThanOrEqualTo(lastCount + 3000);
        long icebergCount = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
          for (Record ignored : records) {
            icebergCount++;
          }
        }
        assertThat(icebergCount).isEqualTo(count);
        lastCount = count;
      }
    }
  }
}
