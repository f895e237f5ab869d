package dev.sluice.bench.connectors;

import dev.sluice.api.TableName;
import dev.sluice.bench.SluiceLoad;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.Runner;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CDC end-to-end lag: a writer thread updates rows of a PostgreSQL table at a steady rate, each
 * update stamping the row with a new version and its time ({@code changed_at = clock_timestamp()}),
 * while Sluice loads the {@code postgres_cdc} source table back to back, as a schedule that starts
 * the next load when the last ended would. After each load the suite notes when the Iceberg table's
 * main branch moved to the new snapshot (Iceberg's snapshot log) and which version of each row that
 * snapshot holds. A change's lag is the time from its {@code changed_at} to the first snapshot
 * holding that version of its row or a later one (a change overwritten within one load counts as
 * visible with the one that overwrote it).
 */
final class CdcLag extends PostgresMeasurement {
  static final String TABLE = "cdc_events";
  static final int KEYS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(CdcLag.class);
  private static final String ASSET = ConnectorsProject.CDC_SOURCE + ".events";
  private static final TableName LAKE_TABLE = new TableName("raw", "cdc_events");

  /** How many loads after the writer stopped may still be needed to see its last changes. */
  private static final int CATCH_UP_LOADS = 20;

  private final int updatesPerSecond;
  private final Duration duration;

  CdcLag(BenchPostgres postgres, Path project, int updatesPerSecond, Duration duration) {
    super(postgres, project);
    this.updatesPerSecond = updatesPerSecond;
    this.duration = duration;
  }

  @Override
  void prepare() {
    postgres.execute(
        "CREATE TABLE "
            + TABLE
            + " (id int PRIMARY KEY, version bigint NOT NULL, changed_at timestamptz NOT NULL,"
            + " payload text)",
        "INSERT INTO "
            + TABLE
            + " SELECT i, 0, clock_timestamp(), 'row ' || i FROM generate_series(1, "
            + KEYS
            + ") AS i");
    ConnectorsProject.writeCdc(project, postgres, TABLE);
  }

  @Override
  void measure(SuiteResult result) {
    List<LakeVersion> seen = new ArrayList<>();
    List<Double> loadMillis = new ArrayList<>();
    UpdateWriter writer = new UpdateWriter(postgres, TABLE, KEYS, updatesPerSecond, duration);
    try (Workspace workspace = Workspace.open(project)) {
      Runner runner = new Runner(workspace);
      // the first load reads the table's snapshot; the stream is measured from here on
      SluiceLoad.run(runner, ASSET);
      LOG.info(
          "connectors: CDC lag under {} updates/s for {} s ...",
          updatesPerSecond,
          duration.toSeconds());
      writer.start();
      int loadsAfterWriter = 0;
      while (true) {
        boolean writing = writer.isAlive();
        long started = System.nanoTime();
        SluiceLoad.run(runner, ASSET);
        loadMillis.add((System.nanoTime() - started) / 1e6);
        LakeVersion version = lakeVersion(workspace);
        LOG.debug(
            "CDC load {}: {} ms, snapshot {} readable at {}",
            loadMillis.size(),
            Math.round(loadMillis.get(loadMillis.size() - 1)),
            version.snapshotId(),
            java.time.Instant.ofEpochMilli(version.visibleAtMillis()));
        if (seen.isEmpty() || seen.get(seen.size() - 1).snapshotId() != version.snapshotId()) {
          seen.add(version);
        }
        if (!writing) {
          // the writer had ended before this load started: its every change is in the WAL
          if (writer.allVisibleIn(version) || ++loadsAfterWriter >= CATCH_UP_LOADS) {
            break;
          }
        }
      }
    }
    writer.rethrowFailure();
    List<UpdateWriter.Change> changes = writer.changes();
    List<Double> lags = new ArrayList<>();
    int unseen = 0;
    for (UpdateWriter.Change change : changes) {
      LakeVersion first = null;
      for (LakeVersion version : seen) {
        if (version.holds(change)) {
          first = version;
          break;
        }
      }
      if (first == null) {
        unseen++;
      } else {
        lags.add(first.visibleAtMillis() - change.changedAtMicros() / 1000.0);
      }
    }
    Map<String, Number> metrics = new LinkedHashMap<>();
    metrics.put("changes", changes.size());
    metrics.put("updatesPerSecondTarget", updatesPerSecond);
    metrics.put("updatesPerSecond", Math.round(writer.sustainedRate() * 10) / 10.0);
    metrics.put("p95Millis", Math.round(percentile(lags, 0.95)));
    metrics.put("loads", loadMillis.size());
    metrics.put(
        "maxLoadMillis",
        Math.round(loadMillis.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    metrics.put(
        "medianLoadMillis",
        Math.round(
            new Measurement(ConnectorsSuite.NAME, "loads", "sluice", loadMillis, Map.of())
                .medianMillis()));
    if (unseen > 0) {
      metrics.put("unseenChanges", unseen);
    }
    String name = String.format(Locale.ROOT, "cdc lag per change, %d updates/s", updatesPerSecond);
    result.add(new Measurement(ConnectorsSuite.NAME, name, "sluice", lags, metrics));
    result.note(
        String.format(
            Locale.ROOT,
            "CDC lag: a writer updated random rows of a %,d-row table for %d s, one autocommitted"
                + " UPDATE at a time (%d/s asked, %.1f/s sustained, %,d changes), while Sluice loaded"
                + " the postgres_cdc source table back to back (%d loads, median %.0f ms each, the"
                + " Debezium engine started per load). Lag per change: from the row's changed_at"
                + " (set by the UPDATE) to the time main pointed at the first Iceberg snapshot"
                + " holding it (Iceberg snapshot log: when it became readable): median %s ms, p95 %s ms,"
                + " max %s ms over %,d changes%s.",
            KEYS,
            duration.toSeconds(),
            updatesPerSecond,
            writer.sustainedRate(),
            changes.size(),
            loadMillis.size(),
            new Measurement(ConnectorsSuite.NAME, "loads", "sluice", loadMillis, Map.of())
                .medianMillis(),
            format(percentile(lags, 0.5)),
            format(percentile(lags, 0.95)),
            format(lags.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)),
            lags.size(),
            unseen == 0 ? "" : "; " + unseen + " changes were never seen in the lake"));
  }

  /** The snapshot at the head of main, when main moved to it, and the version of every row. */
  private static LakeVersion lakeVersion(Workspace workspace) {
    Table table = workspace.lake().loadTable(LAKE_TABLE);
    Snapshot snapshot = table.currentSnapshot();
    long visibleAt = snapshot.timestampMillis();
    for (HistoryEntry entry : table.history()) {
      if (entry.snapshotId() == snapshot.snapshotId()) {
        visibleAt = entry.timestampMillis(); // the last time main moved to it
      }
    }
    Map<Integer, Long> versions = new HashMap<>();
    new QueryService(workspace)
        .query(
            "SELECT id, version FROM " + LAKE_TABLE.zone() + "." + LAKE_TABLE.name(),
            ReadPoint.snapshot(snapshot.snapshotId()),
            KEYS + 1)
        .rows()
        .forEach(
            row ->
                versions.put(((Number) row.get(0)).intValue(), ((Number) row.get(1)).longValue()));
    return new LakeVersion(snapshot.snapshotId(), visibleAt, versions);
  }

  static double percentile(List<Double> values, double fraction) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int index = (int) Math.ceil(fraction * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String format(double millis) {
    return Double.isNaN(millis) ? "–" : String.format(Locale.ROOT, "%,.0f", millis);
  }

  /**
   * One version of the lake table.
   *
   * @param snapshotId the snapshot at the head of main
   * @param visibleAtMillis when main moved to it
   * @param versions the version of each row in it, by id
   */
  record LakeVersion(long snapshotId, long visibleAtMillis, Map<Integer, Long> versions) {
    boolean holds(UpdateWriter.Change change) {
      Long version = versions.get(change.id());
      return version != null && version >= change.version();
    }
  }
}
