package dev.sluice.core.maintain;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.TableMaintenance.Operation;
import dev.sluice.core.maintain.TableMaintenance.Report;
import dev.sluice.core.maintain.TableMaintenance.Request;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.AuditBranches;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.Runs;
import dev.sluice.lake.CarriedState;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table maintenance on real Iceberg tables loaded by real runs: compaction and layout rewrites keep
 * every row (compared row for row through the engine and through Iceberg's generic reader), keep
 * rows another writer commits meanwhile, and keep the load state, so that the next incremental load
 * loads nothing twice; expiry keeps the newest snapshots and tags; orphan removal keeps every file
 * a snapshot references and every file younger than the safety window.
 */
class TableMaintenanceTest {
  private static final TableName EVENTS = new TableName("raw", "shop_events");

  @TempDir Path project;

  private int loads;

  private void project(String maintenance) throws IOException {
    write(project, "sluice.yaml", "name: kept\n" + maintenance);
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + "    columns:\n"
            + "      - {name: id, type: bigint}\n"
            + "      - {name: kind, type: varchar}\n");
  }

  /** Writes one more CSV file of {@code ids} and loads it: one commit, one small data file. */
  private void load(Workspace workspace, long... ids) throws IOException {
    StringBuilder csv = new StringBuilder("id,kind\n");
    for (long id : ids) {
      csv.append(id).append(',').append(id % 2 == 0 ? "even" : "odd").append('\n');
    }
    write(project, "data/load" + loads++ + ".csv", csv.toString());
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
  }

  private static TableMaintenance maintenance(Workspace workspace) {
    return new TableMaintenance(workspace, Clock.systemUTC());
  }

  private static Request only(Operation... operations) {
    return new Request(EnumSet.copyOf(List.of(operations)), false, Set.of());
  }

  @Test
  void compactionBinPacksSmallFilesAndKeepsEveryRowAndTheLoadState() throws Exception {
    project("maintenance: {min_input_files: 3}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 6; i++) {
        load(workspace, 10L * i + 3, 10L * i + 1, 10L * i + 2);
      }
      List<String> rowsBefore = engineRows(workspace);
      List<String> genericBefore = genericRows(workspace);
      assertThat(dataFiles(workspace)).isEqualTo(6);
      Snapshot loaded = workspace.lake().currentSnapshot(EVENTS).orElseThrow();

      Report report = maintenance(workspace).run(only(Operation.COMPACT)).get(0);

      CompactionOutcome compaction = report.rewrites().get(0);
      assertThat(compaction.kind()).isEqualTo("compact");
      assertThat(compaction.filesBefore()).isEqualTo(6);
      assertThat(compaction.filesAfter()).isEqualTo(1);
      assertThat(compaction.filesRewritten()).isEqualTo(6);
      assertThat(compaction.filesWritten()).isEqualTo(1);
      assertThat(compaction.snapshotId()).isNotNull();
      assertThat(dataFiles(workspace)).isEqualTo(1);
      assertThat(engineRows(workspace)).isEqualTo(rowsBefore).hasSize(18);
      assertThat(genericRows(workspace)).isEqualTo(genericBefore);
      // time travel to before the compaction reads the same rows
      assertThat(genericRowsAt(workspace, loaded)).isEqualTo(genericBefore);
      // the commit carries the load state of the last load
      Table table = workspace.lake().loadTable(EVENTS);
      assertThat(CarriedState.of(table, table.currentSnapshot()))
          .containsEntry(
              CarriedState.LOADED_FILES, loaded.summary().get(CarriedState.LOADED_FILES));
      AuditRecord audit = lastMaintenance(workspace);
      assertThat(audit.details()).contains("\"operation\":\"compact\"", "\"files_after\":1");

      // the next incremental load reads only the new file: nothing is loaded twice
      load(workspace, 100);
      assertThat(engineRows(workspace)).hasSize(19).contains("100|even");
      assertThat(ids(workspace)).doesNotHaveDuplicates();

      // fewer small files than min_input_files: nothing to rewrite
      CompactionOutcome again =
          maintenance(workspace).run(only(Operation.COMPACT)).get(0).rewrites().get(0);
      assertThat(again.snapshotId()).isNull();
      assertThat(again.skipped()).isEqualTo("nothing to rewrite");
    }
  }

  @Test
  void aDryRunPlansWithoutChangingTheTable() throws Exception {
    project("maintenance: {min_input_files: 2}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      load(workspace, 1);
      load(workspace, 2);
      load(workspace, 3);
      long snapshot = workspace.lake().currentSnapshot(EVENTS).orElseThrow().snapshotId();

      Report report =
          maintenance(workspace)
              .run(new Request(EnumSet.allOf(Operation.class), true, Set.of(EVENTS)))
              .get(0);

      assertThat(report.rewrites().get(0).dryRun()).isTrue();
      assertThat(report.rewrites().get(0).filesRewritten()).isEqualTo(3);
      assertThat(report.rewrites().get(0).filesAfter()).isEqualTo(1);
      assertThat(report.manifests().manifestsBefore()).isEqualTo(3);
      assertThat(report.orphans().removed()).isFalse();
      assertThat(workspace.lake().currentSnapshot(EVENTS).orElseThrow().snapshotId())
          .isEqualTo(snapshot);
      assertThat(dataFiles(workspace)).isEqualTo(3);
    }
  }

  @Test
  void rowsAnotherWriterCommitsWhileCompactionRunsAreKeptAndNotLoadedTwice() throws Exception {
    project("maintenance: {min_input_files: 2}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 4; i++) {
        load(workspace, i);
      }
      List<String> rowsBefore = engineRows(workspace);
      AtomicInteger concurrent = new AtomicInteger();
      TableMaintenance maintenance =
          new TableMaintenance(
              workspace,
              Clock.systemUTC(),
              () -> {
                // a load commits between the compaction's plan and its commit
                if (concurrent.getAndIncrement() == 0) {
                  try {
                    load(workspace, 50, 51);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              });

      CompactionOutcome compaction =
          maintenance.run(only(Operation.COMPACT)).get(0).rewrites().get(0);

      assertThat(compaction.snapshotId()).isNotNull();
      assertThat(compaction.attempts()).isEqualTo(1);
      List<String> expected = new ArrayList<>(rowsBefore);
      expected.addAll(List.of("50|even", "51|odd"));
      expected.sort(null);
      assertThat(engineRows(workspace)).isEqualTo(expected);
      assertThat(genericRows(workspace)).hasSize(6);
      // the four compacted files became one; the concurrent load's file stays as it was
      assertThat(dataFiles(workspace)).isEqualTo(2);

      load(workspace, 60);
      assertThat(ids(workspace)).containsExactly(0L, 1L, 2L, 3L, 50L, 51L, 60L);
    }
  }

  @Test
  void aCompactionWhoseFilesAnotherWriterRemovedIsPlannedAgain() throws Exception {
    project("maintenance: {min_input_files: 2}\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + "    retention: {column: day, keep: 30d}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 3; i++) {
        write(
            project,
            "data/load" + i + ".csv",
            "id,day\n" + i + ",2001-01-01\n" + (10 + i) + ",2999-01-01\n");
        new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      }
      AtomicInteger calls = new AtomicInteger();
      TableMaintenance maintenance =
          new TableMaintenance(
              workspace,
              Clock.systemUTC(),
              () -> {
                // retention rewrites every file the compaction is rewriting
                if (calls.getAndIncrement() == 0) {
                  new Maintenance(workspace, Clock.systemUTC()).applyRetention();
                }
              });

      CompactionOutcome compaction =
          maintenance.run(only(Operation.COMPACT)).get(0).rewrites().get(0);

      assertThat(compaction.attempts()).isEqualTo(2);
      assertThat(compaction.snapshotId()).isNotNull();
      assertThat(ids(workspace)).containsExactly(10L, 11L, 12L);
      assertThat(dataFiles(workspace)).isEqualTo(1);
    }
  }

  @Test
  void aMaintenanceThatFailsBeforeItsCommitLeavesTheTableAsItWas() throws Exception {
    project("maintenance: {min_input_files: 2}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      load(workspace, 1, 2);
      load(workspace, 3);
      List<String> rowsBefore = engineRows(workspace);
      long snapshot = workspace.lake().currentSnapshot(EVENTS).orElseThrow().snapshotId();
      Path data = Path.of(workspace.lake().loadTable(EVENTS).location(), "data");
      long filesOnDisk;
      try (var listing = Files.list(data)) {
        filesOnDisk = listing.count();
      }
      TableMaintenance failing =
          new TableMaintenance(
              workspace,
              Clock.systemUTC(),
              () -> {
                throw new IllegalStateException("killed");
              });

      assertThatThrownBy(() -> failing.run(only(Operation.COMPACT))).hasMessage("killed");

      assertThat(workspace.lake().currentSnapshot(EVENTS).orElseThrow().snapshotId())
          .isEqualTo(snapshot);
      assertThat(engineRows(workspace)).isEqualTo(rowsBefore);
      assertThat(genericRows(workspace)).hasSize(3);
      // the files it wrote are removed again
      try (var listing = Files.list(data)) {
        assertThat(listing.count()).isEqualTo(filesOnDisk);
      }
    }
  }

  @Test
  void sortRewritesEachPartitionInSortByOrderOnce() throws Exception {
    project("");
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
            + "      - {name: id, type: bigint}\n"
            + "      - {name: kind, type: varchar}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      load(workspace, 9, 4, 7);
      load(workspace, 2, 8, 1);
      List<String> genericBefore = genericRows(workspace);

      CompactionOutcome sort =
          maintenance(workspace).run(only(Operation.SORT)).get(0).rewrites().get(0);

      assertThat(sort.kind()).isEqualTo("sort");
      assertThat(sort.snapshotId()).isNotNull();
      assertThat(genericRows(workspace)).isEqualTo(genericBefore);
      // the one file holds the rows in id order
      assertThat(idsInFileOrder(workspace)).containsExactly(1L, 2L, 4L, 7L, 8L, 9L);
      assertThat(workspace.lake().currentSnapshot(EVENTS).orElseThrow().summary())
          .containsEntry(Compaction.LAYOUT, "sort(id)");

      // laid out already: nothing to do
      CompactionOutcome again =
          maintenance(workspace).run(only(Operation.SORT)).get(0).rewrites().get(0);
      assertThat(again.snapshotId()).isNull();

      // a new load's file is not in order: the partition is sorted again
      load(workspace, 3);
      CompactionOutcome afterLoad =
          maintenance(workspace).run(only(Operation.SORT)).get(0).rewrites().get(0);
      assertThat(afterLoad.snapshotId()).isNotNull();
      assertThat(idsInFileOrder(workspace)).containsExactly(1L, 2L, 3L, 4L, 7L, 8L, 9L);
      load(workspace, 5);
      assertThat(ids(workspace)).containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 8L, 9L);
    }
  }

  /**
   * Compaction into several files: without an order each file is written from a share of the small
   * files (balanced by size, no sort); in an order the rows are numbered once and split into ranges
   * (the SQL Spark runs too: SparkS3WarehouseTest).
   */
  @Test
  void compactionIntoSeveralFilesSharesTheFilesOrSplitsTheOrderedRows() throws Exception {
    project("");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 6; i++) {
        load(workspace, 10L * i + 3, 10L * i + 1, 10L * i + 2);
      }
      List<String> rowsBefore = genericRows(workspace);
      long half = Compactions.dataBytes(workspace, EVENTS) / 2;

      CompactionOutcome packed = Compactions.rewrite(workspace, EVENTS, "compact", half, List.of());

      assertThat(packed.filesRewritten()).isEqualTo(6);
      assertThat(packed.filesWritten()).isEqualTo(2);
      assertThat(genericRows(workspace)).isEqualTo(rowsBefore);
      // three small files of three rows each in each file
      assertThat(Compactions.dataFiles(workspace, EVENTS))
          .extracting(org.apache.iceberg.DataFile::recordCount)
          .containsExactly(9L, 9L);

      // sorted by kind, then by id (every other column, so that every engine splits ties alike)
      CompactionOutcome sorted =
          Compactions.rewrite(
              workspace,
              EVENTS,
              "sort",
              (long) (Compactions.dataBytes(workspace, EVENTS) * 0.8),
              List.of("kind"));
      assertThat(sorted.filesWritten()).isEqualTo(2);
      assertThat(genericRows(workspace)).isEqualTo(rowsBefore);
      // 18 rows, 9 per file: the 6 'even' rows (ids 2, 12, ..., 52) first, then the 'odd' ones
      assertThat(Compactions.dataFiles(workspace, EVENTS))
          .extracting(TableMaintenanceTest::bounds)
          .containsExactlyInAnyOrder("even..odd 1..52 (9 rows)", "odd..odd 13..53 (9 rows)");
    }
  }

  /** A data file's bounds of kind and id, and its rows. */
  private static String bounds(org.apache.iceberg.DataFile file) {
    return org.apache.iceberg.types.Conversions.fromByteBuffer(
            org.apache.iceberg.types.Types.StringType.get(), file.lowerBounds().get(2))
        + ".."
        + org.apache.iceberg.types.Conversions.fromByteBuffer(
            org.apache.iceberg.types.Types.StringType.get(), file.upperBounds().get(2))
        + " "
        + org.apache.iceberg.types.Conversions.fromByteBuffer(
            org.apache.iceberg.types.Types.LongType.get(), file.lowerBounds().get(1))
        + ".."
        + org.apache.iceberg.types.Conversions.fromByteBuffer(
            org.apache.iceberg.types.Types.LongType.get(), file.upperBounds().get(1))
        + " ("
        + file.recordCount()
        + " rows)";
  }

  @Test
  void clusterByWritesRowsInZOrder() throws Exception {
    project("");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: points\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + "    maintenance: {cluster_by: [x, y]}\n"
            + "    columns:\n"
            + "      - {name: x, type: bigint}\n"
            + "      - {name: y, type: bigint}\n");
    write(project, "data/a.csv", "x,y\n1,1\n0,0\n1,0\n");
    write(project, "data/b.csv", "x,y\n0,1\n");
    TableName points = new TableName("raw", "shop_points");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      CompactionOutcome cluster =
          maintenance(workspace).run(only(Operation.SORT)).get(0).rewrites().get(0);

      assertThat(cluster.kind()).isEqualTo("cluster");
      assertThat(cluster.snapshotId()).isNotNull();
      // Z-order of (x, y): x's bit is the lower one, so (0,0), (1,0), (0,1), (1,1)
      TableScanFiles files = workspace.lake().scan(points, ReadPoint.main());
      assertThat(files.dataFiles()).hasSize(1);
      try (EngineSession session = workspace.engine().openSession()) {
        List<String> order =
            session
                .query(
                    "SELECT x || ',' || y FROM read_parquet('" + files.dataFiles().get(0) + "')",
                    10)
                .rows()
                .stream()
                .map(row -> (String) row.get(0))
                .toList();
        assertThat(order).containsExactly("0,0", "1,0", "0,1", "1,1");
      }
    }
  }

  /**
   * The ordered rewrites number the rows in ranges of the order's leading column, one window per
   * range (so that Spark spreads the sort over its tasks), yet every file holds exactly the rows
   * one window over the whole table gives it: 3,000 rows with many ties and NULLs in x, sorted by x
   * (then y, then kind) and clustered by (x, y) (the ranks interleaved here, in Java), each into
   * several files.
   */
  @Test
  void orderedRewritesSplitTheRowsExactlyAsOneWindowOverTheWholeTable() throws Exception {
    project("");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: grid\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + "    columns:\n"
            + "      - {name: x, type: bigint}\n"
            + "      - {name: y, type: bigint}\n"
            + "      - {name: kind, type: varchar}\n");
    TableName grid = new TableName("raw", "shop_grid");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int file = 0; file < 2; file++) {
        StringBuilder csv = new StringBuilder("x,y,kind\n");
        for (int i = file * 1500; i < (file + 1) * 1500; i++) {
          csv.append(i % 97 == 0 ? "" : String.valueOf(i * 7919L % 500))
              .append(',')
              .append(i * 104_729L % 1000)
              .append(",k")
              .append(i % 5)
              .append('\n');
        }
        write(project, "data/grid" + file + ".csv", csv.toString());
        assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
            .isTrue();
      }
      List<List<Object>> rows;
      try (EngineSession session = workspace.engine().openSession()) {
        TableScanFiles files = workspace.lake().scan(grid, ReadPoint.main());
        session.registerTable(grid, files.schema(), files.dataFiles(), files.columnMapping());
        // the oracle: each column's percent_rank over the whole table, as the layout scales it
        rows =
            session
                .query(
                    "SELECT x, y, kind, CAST(floor(percent_rank() OVER (ORDER BY x ASC NULLS"
                        + " FIRST) * 65535) AS BIGINT), CAST(floor(percent_rank() OVER (ORDER BY"
                        + " y ASC NULLS FIRST) * 65535) AS BIGINT) FROM "
                        + grid.quoted(),
                    10_000)
                .rows();
      }
      assertThat(rows).hasSize(3000);
      java.util.Comparator<List<Object>> byColumns =
          java.util.Comparator.<List<Object>, Long>comparing(
                  row -> (Long) row.get(0), java.util.Comparator.nullsFirst(Long::compare))
              .thenComparing(row -> (Long) row.get(1))
              .thenComparing(row -> (String) row.get(2));
      long third = Compactions.dataBytes(workspace, grid) / 3;

      CompactionOutcome sorted = Compactions.rewrite(workspace, grid, "sort", third, List.of("x"));
      assertThat(sorted.filesWritten()).isGreaterThan(2);
      assertThat(fileContents(workspace, grid))
          .containsExactlyInAnyOrderElementsOf(
              chunks(rows.stream().sorted(byColumns).toList(), sorted.filesWritten()));

      CompactionOutcome clustered =
          Compactions.rewrite(workspace, grid, "cluster", third, List.of("x", "y"));
      assertThat(clustered.filesWritten()).isGreaterThan(2);
      java.util.Comparator<List<Object>> byZ =
          java.util.Comparator.<List<Object>>comparingLong(
                  row -> interleave((Long) row.get(3), (Long) row.get(4)))
              .thenComparing(byColumns);
      assertThat(fileContents(workspace, grid))
          .containsExactlyInAnyOrderElementsOf(
              chunks(rows.stream().sorted(byZ).toList(), clustered.filesWritten()));
    }
  }

  /** The bits of two 16-bit ranks interleaved, the first column's bit the lower of each pair. */
  private static long interleave(long first, long second) {
    long z = 0;
    for (int bit = 0; bit < 16; bit++) {
      z |= ((first >> bit) & 1) << (2 * bit);
      z |= ((second >> bit) & 1) << (2 * bit + 1);
    }
    return z;
  }

  /** The rows as {@code x|y|kind}, cut into {@code files} ranges of equal size (the last less). */
  private static List<List<String>> chunks(List<List<Object>> ordered, int files) {
    int perFile = (ordered.size() + files - 1) / files;
    List<List<String>> chunks = new ArrayList<>();
    for (int from = 0; from < ordered.size(); from += perFile) {
      chunks.add(
          ordered.subList(from, Math.min(ordered.size(), from + perFile)).stream()
              .map(row -> row.get(0) + "|" + row.get(1) + "|" + row.get(2))
              .toList());
    }
    return chunks;
  }

  /** Each data file's rows in the file's order, as {@code x|y|kind}. */
  private static List<List<String>> fileContents(Workspace workspace, TableName table) {
    List<List<String>> contents = new ArrayList<>();
    try (EngineSession session = workspace.engine().openSession()) {
      for (String file : workspace.lake().scan(table, ReadPoint.main()).dataFiles()) {
        contents.add(
            session
                .query(
                    "SELECT CAST(x AS VARCHAR), CAST(y AS VARCHAR), kind FROM read_parquet('"
                        + file
                        + "')",
                    10_000)
                .rows()
                .stream()
                .map(row -> row.get(0) + "|" + row.get(1) + "|" + row.get(2))
                .toList());
      }
    }
    return contents;
  }

  @Test
  void expiryKeepsTheNewestSnapshotsAndTags() throws Exception {
    project("maintenance: {keep_snapshots: 1h, min_snapshots: 3}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 6; i++) {
        load(workspace, i);
      }
      Table table = workspace.lake().loadTable(EVENTS);
      List<Long> history = new ArrayList<>();
      org.apache.iceberg.util.SnapshotUtil.currentAncestors(table)
          .forEach(snapshot -> history.add(0, snapshot.snapshotId()));
      table.manageSnapshots().createTag("first", history.get(0)).commit();
      Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));

      Report dryRun =
          new TableMaintenance(workspace, later)
              .run(new Request(EnumSet.of(Operation.EXPIRE), true, Set.of()))
              .get(0);
      assertThat(dryRun.expiry().snapshotsExpired()).isEqualTo(2);
      assertThat(workspace.lake().loadTable(EVENTS).snapshots()).hasSize(6);

      Report report = new TableMaintenance(workspace, later).run(only(Operation.EXPIRE)).get(0);

      assertThat(report.expiry().snapshotsExpired()).isEqualTo(2);
      List<Long> kept = new ArrayList<>();
      workspace.lake().loadTable(EVENTS).snapshots().forEach(s -> kept.add(s.snapshotId()));
      // the newest three and the tagged first one
      assertThat(kept)
          .containsExactlyInAnyOrder(
              history.get(0), history.get(3), history.get(4), history.get(5));
      assertThat(ids(workspace)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
      load(workspace, 6);
      assertThat(ids(workspace)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }
  }

  @Test
  void branchRemovalTakesOnlyTheBranchesOfRunsFinishedBeforeTheGracePeriod() throws Exception {
    project("maintenance: {keep_snapshots: 1h, min_snapshots: 1}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      load(workspace, 1);
      Runs runs = workspace.runStore().runs();
      Instant now = Instant.now();
      String failed = runs.startRun("run", List.of(), now.minus(Duration.ofHours(3)));
      runs.finishRun(failed, RunStatus.FAILED, now.minus(Duration.ofHours(2)), "killed");
      String recent = runs.startRun("run", List.of(), now.minus(Duration.ofMinutes(40)));
      runs.finishRun(recent, RunStatus.INTERRUPTED, now.minus(Duration.ofMinutes(30)), "gone");
      String running = runs.startRun("run", List.of(), now.minus(Duration.ofHours(3)));
      Table table = workspace.lake().loadTable(EVENTS);
      long head = table.currentSnapshot().snapshotId();
      List<String> kept =
          List.of(
              "audit-" + recent,
              "audit-" + running,
              "audit-20990101-000000-ffff", // a run this state database does not know
              "dev");
      for (String branch : kept) {
        table.manageSnapshots().createBranch(branch, head).commit();
      }
      // the failed run's step had committed to its audit branch, and its merge had a branch
      table.manageSnapshots().createBranch("audit-" + failed, head).commit();
      table.manageSnapshots().createBranch("audit-" + failed + "-merge", head).commit();
      table
          .newDelete()
          .deleteFromRowFilter(org.apache.iceberg.expressions.Expressions.alwaysTrue())
          .toBranch("audit-" + failed)
          .commit();
      long onlyOnTheBranch =
          workspace.lake().loadTable(EVENTS).refs().get("audit-" + failed).snapshotId();

      Report dryRun =
          maintenance(workspace)
              .run(new Request(EnumSet.of(Operation.BRANCHES), true, Set.of()))
              .get(0);
      assertThat(dryRun.branches().branches())
          .extracting(AuditBranches.Stale::branch)
          .containsExactlyInAnyOrder("audit-" + failed, "audit-" + failed + "-merge");
      assertThat(workspace.lake().loadTable(EVENTS).refs()).hasSize(7);

      Report report = maintenance(workspace).run(only(Operation.BRANCHES)).get(0);

      assertThat(report.branches().removed()).isTrue();
      assertThat(report.branches().branches())
          .allSatisfy(branch -> assertThat(branch.status()).isEqualTo(RunStatus.FAILED));
      assertThat(workspace.lake().loadTable(EVENTS).refs().keySet())
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.Stream.concat(kept.stream(), java.util.stream.Stream.of("main"))
                  .toList());
      assertThat(lastMaintenance(workspace).details())
          .contains("remove_stale_branches")
          .contains("audit-" + failed + "-merge");

      // the snapshot only the removed branch held expires with the others
      new TableMaintenance(workspace, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)))
          .run(only(Operation.EXPIRE));
      assertThat(workspace.lake().loadTable(EVENTS).snapshot(onlyOnTheBranch)).isNull();
      assertThat(ids(workspace)).containsExactly(1L);
    }
  }

  @Test
  void orphanRemovalKeepsReferencedAndYoungFiles() throws Exception {
    project("maintenance: {orphan_files_older_than: 3d}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      load(workspace, 1);
      load(workspace, 2);
      Table table = workspace.lake().loadTable(EVENTS);
      Path referenced = Path.of(workspace.lake().scan(EVENTS, ReadPoint.main()).dataFiles().get(0));
      Path data = referenced.getParent();
      Path old = data.resolve("left-by-a-killed-write.parquet");
      Path young = data.resolve("being-written.parquet");
      Files.copy(referenced, old);
      Files.copy(referenced, young);
      FileTime fourDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(4)));
      Files.setLastModifiedTime(old, fourDaysAgo);
      // a referenced file as old is never an orphan
      Files.setLastModifiedTime(referenced, fourDaysAgo);

      Report dryRun =
          maintenance(workspace)
              .run(new Request(EnumSet.of(Operation.ORPHANS), true, Set.of()))
              .get(0);
      assertThat(dryRun.orphans().files()).containsExactly(old.toString());
      assertThat(dryRun.orphans().bytes()).isEqualTo(Files.size(old));
      assertThat(old).exists();

      Report report = maintenance(workspace).run(only(Operation.ORPHANS)).get(0);

      assertThat(report.orphans().files()).containsExactly(old.toString());
      assertThat(old).doesNotExist();
      assertThat(young).exists();
      assertThat(referenced).exists();
      assertThat(table.location()).isNotEmpty();
      assertThat(ids(workspace)).containsExactly(1L, 2L);
    }
  }

  @Test
  void compactionOfAPartitionedTableRewritesOnlyThePartitionsWithEnoughSmallFiles()
      throws Exception {
    project("maintenance: {min_input_files: 3}\n");
    write(
        project,
        "models/curated/regional.sql",
        "select '{{ partition.region }}' as region, cast(1 as bigint) as id\n");
    write(project, "data/events.csv", "id,kind\n1,odd\n");
    write(
        project,
        "models/curated/regional.yaml",
        """
        models:
          - name: regional
            materialized: incremental_by_partition
            partitions:
              - column: region
                values: [eu, us]
        """);
    TableName regional = new TableName("curated", "regional");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      Table table = workspace.lake().loadTable(regional);
      assertThat(table.spec().isPartitioned()).isTrue();
      // another writer (an engine appending through the catalog) adds small files to eu only
      for (long id = 100; id < 103; id++) {
        appendOneRow(table, "eu", id);
      }
      String usFile = filesByRegion(workspace, regional).get("us").get(0);
      assertThat(filesByRegion(workspace, regional).get("eu")).hasSize(4);
      List<String> before =
          sorted(IcebergGenerics.read(workspace.lake().loadTable(regional)).build());

      CompactionOutcome compaction =
          maintenance(workspace).run(only(Operation.COMPACT)).stream()
              .filter(report -> report.table().equals(regional))
              .findFirst()
              .orElseThrow()
              .rewrites()
              .get(0);

      assertThat(compaction.snapshotId()).isNotNull();
      assertThat(compaction.groups()).isEqualTo(1);
      assertThat(compaction.filesRewritten()).isEqualTo(4);
      assertThat(compaction.filesWritten()).isEqualTo(1);
      Map<String, List<String>> after = filesByRegion(workspace, regional);
      assertThat(after.get("eu")).hasSize(1);
      // the partition with one file is not touched
      assertThat(after.get("us")).containsExactly(usFile);
      assertThat(sorted(IcebergGenerics.read(workspace.lake().loadTable(regional)).build()))
          .isEqualTo(before)
          .hasSize(5);
    }
  }

  /** One Parquet file of one row in the partition {@code region}, appended with Iceberg's API. */
  private static void appendOneRow(Table table, String region, long id) throws IOException {
    GenericRecord row = GenericRecord.create(table.schema());
    row.setField("region", region);
    row.setField("id", id);
    PartitionKey partition = new PartitionKey(table.spec(), table.schema());
    partition.partition(row);
    OutputFile out =
        table
            .io()
            .newOutputFile(
                table
                    .locationProvider()
                    .newDataLocation(table.spec(), partition, "appended-" + id + ".parquet"));
    DataWriter<Record> writer =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .build()
            .newDataWriter(EncryptedFiles.plainAsEncryptedOutput(out), table.spec(), partition);
    try (writer) {
      writer.write(row);
    }
    table.newAppend().appendFile(writer.toDataFile()).commit();
  }

  /** The live data files of each partition value of {@code region}. */
  private static Map<String, List<String>> filesByRegion(Workspace workspace, TableName name)
      throws IOException {
    Table table = workspace.lake().loadTable(name);
    Map<String, List<String>> files = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        String region = String.valueOf(task.file().partition().get(0, String.class));
        files.computeIfAbsent(region, r -> new ArrayList<>()).add(task.file().location());
      }
    }
    return files;
  }

  @Test
  void manifestRewriteKeepsRowsAndTheLoadState() throws Exception {
    project("");
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "ops")) {
      for (int i = 0; i < 4; i++) {
        load(workspace, i);
      }

      Report report = maintenance(workspace).run(only(Operation.MANIFESTS)).get(0);

      assertThat(report.manifests().manifestsBefore()).isEqualTo(4);
      assertThat(report.manifests().manifestsAfter()).isEqualTo(1);
      assertThat(ids(workspace)).containsExactly(0L, 1L, 2L, 3L);
      load(workspace, 4);
      assertThat(ids(workspace)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }
  }

  @Test
  void badMaintenanceSettingsAreProjectErrorsWithFileAndLine() throws Exception {
    project(
        "maintenance:\n"
            + "  target_file_size: huge\n"
            + "  min_input_files: 1\n"
            + "  keep_snapshot: 7d\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    maintenance:\n"
            + "      sort_by: [id]\n"
            + "      cluster_by: [id, kind]\n"
            + "      min_snapshots: 0\n");

    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining(
            "sluice.yaml:3: 'target_file_size' must be a size between 1 MiB and 2 GiB, got"
                + " 'huge'")
        .hasMessageContaining("sluice.yaml:4: 'min_input_files' must be at least 2, got 1")
        .hasMessageContaining("sluice.yaml:5: Unknown key 'keep_snapshot'")
        .hasMessageContaining("sources/shop.yaml:7: 'sort_by' and 'cluster_by'")
        .hasMessageContaining("sources/shop.yaml:8: 'min_snapshots' must be at least 1, got 0");
  }

  private static AuditRecord lastMaintenance(Workspace workspace) {
    List<AuditRecord> records =
        workspace.runStore().audit().records(AuditFilter.all().withTable(EVENTS.toString()));
    return records.stream()
        .filter(record -> record.action() == AuditAction.MAINTENANCE)
        .reduce((first, second) -> second)
        .orElseThrow();
  }

  private static long dataFiles(Workspace workspace) {
    return workspace.lake().scan(EVENTS, ReadPoint.main()).dataFiles().size();
  }

  /** Every row as {@code id|kind}, sorted, read by the engine. */
  private static List<String> engineRows(Workspace workspace) {
    TableScanFiles files = workspace.lake().scan(EVENTS, ReadPoint.main());
    try (EngineSession session = workspace.engine().openSession()) {
      session.registerTable(EVENTS, files.schema(), files.dataFiles(), files.columnMapping());
      return session
          .query("SELECT id || '|' || kind FROM " + EVENTS.quoted() + " ORDER BY 1", 100_000)
          .rows()
          .stream()
          .map(row -> (String) row.get(0))
          .toList();
    }
  }

  private static List<Long> ids(Workspace workspace) {
    TableScanFiles files = workspace.lake().scan(EVENTS, ReadPoint.main());
    try (EngineSession session = workspace.engine().openSession()) {
      session.registerTable(EVENTS, files.schema(), files.dataFiles(), files.columnMapping());
      return session
          .query("SELECT id FROM " + EVENTS.quoted() + " ORDER BY id", 100_000)
          .rows()
          .stream()
          .map(row -> ((Number) row.get(0)).longValue())
          .toList();
    }
  }

  private static List<Long> idsInFileOrder(Workspace workspace) {
    TableScanFiles files = workspace.lake().scan(EVENTS, ReadPoint.main());
    assertThat(files.dataFiles()).hasSize(1);
    try (EngineSession session = workspace.engine().openSession()) {
      return session
          .query("SELECT id FROM read_parquet('" + files.dataFiles().get(0) + "')", 100)
          .rows()
          .stream()
          .map(row -> ((Number) row.get(0)).longValue())
          .toList();
    }
  }

  /** Every row through Iceberg's generic reader, as text, sorted. */
  private static List<String> genericRows(Workspace workspace) {
    return sorted(IcebergGenerics.read(workspace.lake().loadTable(EVENTS)).build());
  }

  private static List<String> genericRowsAt(Workspace workspace, Snapshot snapshot) {
    return sorted(
        IcebergGenerics.read(workspace.lake().loadTable(EVENTS))
            .useSnapshot(snapshot.snapshotId())
            .build());
  }

  private static List<String> sorted(CloseableIterable<Record> records) {
    List<String> rows = new ArrayList<>();
    try (records) {
      records.forEach(
          record -> {
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < record.size(); i++) {
              fields.add(String.valueOf(record.get(i)));
            }
            rows.add(String.join("|", fields));
          });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    rows.sort(null);
    return rows;
  }
}
