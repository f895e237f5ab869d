package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.engine.duckdb.DuckDbEngine;
import dev.sluice.lake.Lake;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;

/**
 * A child process for {@link KillMidCommitTest}: appends batches of 1,000 rows to one table through
 * write-audit-publish, forever, printing each published batch, until it is killed.
 */
public final class CommitLoop {
  private CommitLoop() {}

  public static void main(String[] args) {
    Path directory = Path.of(args[0]);
    TableName name = new TableName("raw", "events");
    try (Lake lake =
            Lake.open(
                directory.resolve("warehouse"),
                "jdbc:sqlite:" + directory.resolve("catalog.db"),
                Map.of());
        DuckDbEngine engine = DuckDbEngine.start(directory.resolve("spill"), "512MB");
        EngineSession session = engine.openSession()) {
      long first =
          lake.currentSnapshot(name)
              .map(snapshot -> Long.parseLong(snapshot.summary().get("total-records")) / 1000)
              .orElse(0L);
      for (long batch = first; ; batch++) {
        String sql =
            "SELECT range + "
                + (batch * 1000)
                + " AS id, 'payload ' || range AS payload FROM range(1000)";
        Schema desired = session.describe(sql);
        if (lake.findTable(name).isEmpty()) {
          lake.createTable(name, desired, Map.of());
        }
        TableWrite write = lake.newWrite(name, "audit-" + batch);
        Schema schema = write.prepareSchema(desired, SchemaChange.UNION);
        WrittenFile file = session.writeParquet(sql, schema, write.newDataFilePath());
        write
            .newCommit(WriteOperation.append())
            .addFiles(List.of(write.toDataFile(file)))
            .set("batch", Long.toString(batch))
            .toAuditBranch()
            .commit();
        write.publish();
        System.out.println("published " + batch);
        System.out.flush();
      }
    }
  }
}
