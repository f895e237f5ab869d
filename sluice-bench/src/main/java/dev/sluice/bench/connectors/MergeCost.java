package dev.sluice.bench.connectors;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.run.FileMerge;
import dev.sluice.engine.duckdb.DuckDbEngine;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.TableScanFiles;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost of merging a small batch of changed rows (as a CDC or incremental load stages them) into
 * a large table of many data files: Sluice's file-level merge, which rewrites only the files that
 * hold a changed key ({@link FileMerge}), against the whole-table rewrite Sluice did before (the
 * staged rows and every row of the table whose key no staged row has, replacing all files). Both
 * run the same steps (plan, one Parquet file written by DuckDB, one Iceberg commit), in-process on
 * one lake, from the same snapshot: main is reset to it before every run.
 *
 * <p>Two batches: changes to recently inserted rows (keys among the newest 1 %, as updates of new
 * orders mostly are) and changes to keys drawn from the whole table, which touch more files.
 */
final class MergeCost {
  static final String FILE_MERGE = "sluice";
  static final String TABLE_REWRITE = "sluice-whole-table-rewrite";

  private static final Logger LOG = LoggerFactory.getLogger(MergeCost.class);
  private static final TableName TABLE = new TableName("raw", "merge_orders");
  private static final long ROWS_PER_FILE = 10_000;
  private static final int CHANGED_ROWS = 100;

  private final BenchSettings settings;
  private final Path directory;
  private final int files;

  MergeCost(BenchSettings settings, Path directory, int files) {
    this.settings = settings;
    this.directory = directory;
    this.files = files;
  }

  void measure(SuiteResult result) {
    long rows = files * ROWS_PER_FILE;
    try (Lake lake =
            Lake.open(
                directory.resolve("warehouse"),
                "jdbc:sqlite:" + directory.resolve("catalog.db"),
                Map.of());
        DuckDbEngine engine = DuckDbEngine.start(directory.resolve("spill"), null);
        EngineSession session = engine.openSession()) {
      long base = createTable(lake, session, rows);
      for (String batch : List.of("recent keys", "keys across the table")) {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        long filesRewritten = 0;
        Random random = new Random(42);
        for (int run = 0; run < settings.runs(); run++) {
          long lowest = batch.equals("recent keys") ? rows - rows / 100 : 0;
          stage(session, random, lowest, rows);
          for (String system :
              run % 2 == 0
                  ? List.of(FILE_MERGE, TABLE_REWRITE)
                  : List.of(TABLE_REWRITE, FILE_MERGE)) {
            lake.loadTable(TABLE).manageSnapshots().setCurrentSnapshot(base).commit();
            long started = System.nanoTime();
            int rewritten =
                system.equals(FILE_MERGE) ? mergeFiles(lake, session) : rewriteTable(lake, session);
            double millis = (System.nanoTime() - started) / 1e6;
            check(lake, session, system, rows);
            if (!settings.isWarmup(run)) {
              samples.computeIfAbsent(system, k -> new ArrayList<>()).add(millis);
              if (system.equals(FILE_MERGE)) {
                filesRewritten += rewritten;
              }
            }
          }
        }
        lake.loadTable(TABLE).manageSnapshots().setCurrentSnapshot(base).commit();
        String name = "merge " + CHANGED_ROWS + " changed rows, " + batch;
        Measurement old =
            new Measurement(
                ConnectorsSuite.NAME,
                name,
                TABLE_REWRITE,
                samples.get(TABLE_REWRITE),
                Map.of("rows", rows, "files", files, "filesRewritten", files));
        Measurement timing =
            new Measurement(
                ConnectorsSuite.NAME, name, FILE_MERGE, samples.get(FILE_MERGE), Map.of());
        Map<String, Number> metrics = new LinkedHashMap<>();
        metrics.put("rows", rows);
        metrics.put("files", files);
        metrics.put(
            "filesRewritten",
            Math.round(filesRewritten / (double) samples.get(FILE_MERGE).size() * 10) / 10.0);
        metrics.put(
            "wholeTableRewriteOverFileMerge",
            Math.round(old.medianMillis() / timing.medianMillis() * 10) / 10.0);
        result.add(
            new Measurement(
                ConnectorsSuite.NAME, name, FILE_MERGE, samples.get(FILE_MERGE), metrics));
        result.add(old);
        LOG.info(
            "connectors: {}: file merge {} ms, whole-table rewrite {} ms",
            name,
            Math.round(timing.medianMillis()),
            Math.round(old.medianMillis()));
      }
    }
    result.note(
        "Merge cost: "
            + CHANGED_ROWS
            + " changed rows (keys among the newest 1 %, and keys across the table) merged on a"
            + " bigint key into an Iceberg table of "
            + String.format(Locale.ROOT, "%,d", rows)
            + " rows in "
            + files
            + " data files of "
            + String.format(Locale.ROOT, "%,d", ROWS_PER_FILE)
            + " rows (as loads of a CDC or incremental source leave it). `sluice`: the file-level"
            + " merge (Iceberg bounds prune, DuckDB names the files holding a changed key, those"
            + " are rewritten, OverwriteFiles commit); `"
            + TABLE_REWRITE
            + "`: the whole-table rewrite Sluice did before. Both in-process, from the same"
            + " snapshot (main reset before each run), without checks; wholeTableRewriteOverFileMerge"
            + " is the ratio of their medians.");
  }

  /** Creates the table from {@code files} Parquet files in one commit; returns its snapshot. */
  private long createTable(Lake lake, EngineSession session, long rows) {
    long started = System.nanoTime();
    String first = rowsSql(0, ROWS_PER_FILE);
    Schema desired = session.describe(first);
    lake.createTable(TABLE, desired, Map.of());
    TableWrite write = lake.newWrite(TABLE, "bench");
    Schema schema = write.prepareSchema(desired, SchemaChange.UNION);
    List<DataFile> dataFiles = new ArrayList<>();
    for (long start = 0; start < rows; start += ROWS_PER_FILE) {
      WrittenFile file =
          session.writeParquet(
              rowsSql(start, start + ROWS_PER_FILE), schema, write.newDataFilePath());
      dataFiles.add(write.toDataFile(file));
    }
    long snapshot = write.newCommit(WriteOperation.append()).addFiles(dataFiles).commit();
    LOG.info(
        "connectors: merge table of {} rows in {} files written in {} s",
        rows,
        files,
        (System.nanoTime() - started) / 1_000_000_000);
    return snapshot;
  }

  private static String rowsSql(long start, long end) {
    return "SELECT range AS id, CAST(range % 1000 AS INTEGER) AS customer, CAST(range AS DOUBLE) / 100 AS amount,"
        + " 'status ' || (range % 7) AS status, TIMESTAMP '2026-01-01' + to_seconds(range) AS"
        + " updated_at FROM range("
        + start
        + ", "
        + end
        + ")";
  }

  /** Stages {@link #CHANGED_ROWS} changed rows of distinct keys in [lowest, rows). */
  private static void stage(EngineSession session, Random random, long lowest, long rows) {
    Set<Long> keys = new LinkedHashSet<>();
    while (keys.size() < CHANGED_ROWS) {
      keys.add(lowest + (long) (random.nextDouble() * (rows - lowest)));
    }
    StringJoiner list = new StringJoiner(", ", "[", "]");
    keys.forEach(key -> list.add(Long.toString(key)));
    session.createTemporaryTable(
        "staged",
        "SELECT id, CAST(1 AS INTEGER) AS customer, CAST(1 AS DOUBLE) AS amount, 'changed' AS status,"
            + " TIMESTAMP '2026-06-01' AS updated_at FROM (SELECT unnest("
            + list
            + ") AS id)");
  }

  /** The file-level merge; returns how many files it rewrote. */
  private static int mergeFiles(Lake lake, EngineSession session) {
    FileMerge.Plan plan =
        FileMerge.plan(lake, session, TABLE, "staged", List.of("id"), "SELECT * FROM staged");
    TableWrite write = lake.newWrite(TABLE, "bench");
    write
        .newCommit(WriteOperation.rewriteFiles(plan.rewrite()))
        .addFiles(writeRows(write, session, plan.rows()))
        .commit();
    return plan.rewrite().removed().size();
  }

  /** The whole-table rewrite of earlier releases; returns the table's file count. */
  private static int rewriteTable(Lake lake, EngineSession session) {
    TableScanFiles current = lake.scan(TABLE, ReadPoint.main());
    session.registerTable(TABLE, current.schema(), current.dataFiles(), current.columnMapping());
    String rows =
        "SELECT * FROM staged\nUNION ALL BY NAME\nSELECT * FROM "
            + TABLE.quoted()
            + " AS existing WHERE NOT EXISTS (SELECT 1 FROM staged WHERE staged.id IS NOT"
            + " DISTINCT FROM existing.id)";
    TableWrite write = lake.newWrite(TABLE, "bench");
    write.newCommit(WriteOperation.replaceAll()).addFiles(writeRows(write, session, rows)).commit();
    return current.dataFiles().size();
  }

  /** Writes the rows of {@code sql} into one Parquet file of the table. */
  private static List<DataFile> writeRows(TableWrite write, EngineSession session, String sql) {
    Schema schema = write.prepareSchema(session.describe(sql), SchemaChange.UNION);
    WrittenFile file = session.writeParquet(sql, schema, write.newDataFilePath());
    return List.of(write.toDataFile(file));
  }

  /** Fails the benchmark when a merge lost or duplicated rows, or missed a change. */
  private static void check(Lake lake, EngineSession session, String system, long rows) {
    TableScanFiles current = lake.scan(TABLE, ReadPoint.main());
    session.registerTable(TABLE, current.schema(), current.dataFiles(), current.columnMapping());
    List<Object> counts =
        session
            .query(
                "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE status = 'changed')"
                    + " FROM "
                    + TABLE.quoted(),
                1)
            .rows()
            .get(0);
    if (((Number) counts.get(0)).longValue() != rows
        || ((Number) counts.get(1)).longValue() != rows
        || ((Number) counts.get(2)).longValue() != CHANGED_ROWS) {
      throw new IllegalStateException(
          system
              + " left "
              + counts
              + " (rows, keys, changed rows); expected "
              + rows
              + ", "
              + rows
              + ", "
              + CHANGED_ROWS);
    }
  }
}
