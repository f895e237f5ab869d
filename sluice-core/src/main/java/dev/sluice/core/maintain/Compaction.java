package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.lake.FileRewrite;
import dev.sluice.lake.Lake;
import dev.sluice.lake.PendingWrite;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.BinPackRewriteFilePlanner;
import org.apache.iceberg.actions.RewriteFileGroup;
import org.apache.iceberg.actions.SizeBasedFileRewritePlanner;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Rewrites a table's data files with Iceberg's own planning and commit: {@link
 * BinPackRewriteFilePlanner} chooses the groups of files to rewrite (bin-packing the small files of
 * each partition that has at least {@code min_input_files} of them, or, to lay rows out in order,
 * every partition not laid out yet), the engine reads each group through the table's field ids and
 * writes its rows to files of the target size, and one {@link WriteOperation.Compact} commit
 * (Iceberg's {@code RewriteFiles}, validated from the snapshot read) replaces them. Rows appended
 * by other writers meanwhile are kept; when another writer removed a file being rewritten, the
 * compaction is planned again once, then skipped. A compaction that fails or is killed before its
 * commit leaves the table as it was (its written files are orphans, removed by orphan cleanup).
 */
final class Compaction {
  /** The snapshot summary property naming the order a layout rewrite wrote its files in. */
  static final String LAYOUT = "sluice.layout";

  private static final String SCRATCH_ZONE = "sluice_compaction";
  private static final String ROW = "_sluice_row";
  private static final int ATTEMPTS = 2;

  /**
   * How many ranges of the order's leading value the rows are numbered in, each by its own window
   * (so that a Spark cluster numbers them in as many tasks): a group of up to 8 target files (1 GiB
   * by default) is sorted in pieces of about 16 MiB.
   */
  private static final int RANGES = 64;

  /** About how many sampled rows per range choose the ranges' bounds. */
  private static final int SAMPLED_PER_RANGE = 64;

  private static final String RANGE = "_sluice_range";

  /** How the rows of rewritten files are ordered. */
  enum Kind {
    /** Bin-pack small files (rows in a declared order within each written file). */
    COMPACT("compact"),
    /** Rewrite each partition not yet laid out in {@code sort_by} order, globally sorted. */
    SORT("sort"),
    /** As {@link #SORT}, in Z-order of {@code cluster_by}. */
    CLUSTER("cluster");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /**
   * What a compaction is asked for.
   *
   * @param targetFileSize bytes per written file
   * @param minInputFiles small files a partition needs before a bin-pack rewrites them
   * @param sortBy columns to sort by, or empty
   * @param clusterBy columns to Z-order by, or empty
   */
  record Settings(
      long targetFileSize, int minInputFiles, List<String> sortBy, List<String> clusterBy) {
    Settings {
      sortBy = List.copyOf(sortBy);
      clusterBy = List.copyOf(clusterBy);
    }
  }

  private final Lake lake;
  private final EngineSession session;
  private final Runnable beforeCommit;

  Compaction(Lake lake, EngineSession session) {
    this(lake, session, () -> {});
  }

  /**
   * @param beforeCommit runs after the files are written, before each commit (tests put a commit of
   *     another writer there)
   */
  Compaction(Lake lake, EngineSession session, Runnable beforeCommit) {
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
    this.beforeCommit = requireNonNull(beforeCommit, "beforeCommit is null");
  }

  /** A group of files to rewrite into {@code outputFiles} files. */
  private record Group(List<DataFile> files, StructLike partition, int outputFiles, long bytes) {}

  /** Compacts (or, with {@code dryRun}, plans) the table's data files. */
  CompactionOutcome compact(TableName name, Kind kind, Settings settings, boolean dryRun) {
    Table table = lake.loadTable(name);
    Snapshot before = table.currentSnapshot();
    long filesBefore = total(before, SnapshotSummary.TOTAL_DATA_FILES_PROP);
    long bytesBefore = total(before, SnapshotSummary.TOTAL_FILE_SIZE_PROP);
    List<String> order = kind == Kind.CLUSTER ? settings.clusterBy() : settings.sortBy();
    if (kind != Kind.COMPACT && order.isEmpty()) {
      return CompactionOutcome.nothing(
          name,
          kind.label(),
          filesBefore,
          bytesBefore,
          "no " + (kind == Kind.SORT ? "sort_by" : "cluster_by") + " declared");
    }
    checkColumns(name, table.schema(), order);
    String skipped = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      table = lake.loadTable(name);
      Snapshot read = table.currentSnapshot();
      if (read == null) {
        return CompactionOutcome.nothing(name, kind.label(), 0, 0, "no data");
      }
      List<Group> groups = plan(table, read, kind, settings, order);
      int rewritten = groups.stream().mapToInt(group -> group.files().size()).sum();
      int expected = groups.stream().mapToInt(Group::outputFiles).sum();
      if (groups.isEmpty() || dryRun) {
        return new CompactionOutcome(
            name,
            kind.label(),
            filesBefore,
            groups.isEmpty() ? filesBefore : filesBefore - rewritten + expected,
            bytesBefore,
            bytesBefore,
            rewritten,
            expected,
            groups.size(),
            null,
            attempt,
            groups.isEmpty() ? "nothing to rewrite" : null,
            dryRun);
      }
      TableWrite write = lake.newWrite(name, "sluice-maintenance");
      List<DataFile> removed = new ArrayList<>();
      List<DataFile> added = new ArrayList<>();
      try {
        for (Group group : groups) {
          removed.addAll(group.files());
          added.addAll(rewrite(write, name, table, group, kind, order));
        }
        beforeCommit.run();
        // commit on the table as it is now (the files are described already): a write started
        // before another writer's expiry would read the metadata files it deleted
        write.discard();
        write = lake.newWrite(name, "sluice-maintenance");
        PendingWrite commit =
            write
                .newCommit(WriteOperation.compact(new FileRewrite(read.snapshotId(), removed)))
                .addFiles(added)
                .set(
                    LAYOUT,
                    kind == Kind.COMPACT
                        ? "none"
                        : kind.label() + "(" + String.join(", ", order) + ")");
        long snapshotId = commit.commit();
        Snapshot after = lake.loadTable(name).snapshot(snapshotId);
        return new CompactionOutcome(
            name,
            kind.label(),
            filesBefore,
            total(after, SnapshotSummary.TOTAL_DATA_FILES_PROP),
            bytesBefore,
            total(after, SnapshotSummary.TOTAL_FILE_SIZE_PROP),
            removed.size(),
            added.size(),
            groups.size(),
            snapshotId,
            attempt,
            null,
            false);
      } catch (TransientException | org.apache.iceberg.exceptions.NotFoundException e) {
        // another writer removed a file being rewritten, or expired the snapshot read: nothing
        // was committed
        write.discard();
        deleteWritten(table, added);
        skipped = e.getMessage();
      } catch (RuntimeException e) {
        write.discard();
        deleteWritten(table, added);
        throw e;
      }
    }
    return CompactionOutcome.nothing(
        name,
        kind.label(),
        filesBefore,
        bytesBefore,
        "skipped after " + ATTEMPTS + " attempts: " + skipped);
  }

  /** The groups Iceberg's bin-pack planner chooses, less those already laid out. */
  private static List<Group> plan(
      Table table, Snapshot read, Kind kind, Settings settings, List<String> order) {
    BinPackRewriteFilePlanner planner =
        new BinPackRewriteFilePlanner(table, Expressions.alwaysTrue(), read.snapshotId(), false);
    Map<String, String> options = new HashMap<>();
    options.put(
        SizeBasedFileRewritePlanner.TARGET_FILE_SIZE_BYTES,
        Long.toString(settings.targetFileSize()));
    options.put(
        SizeBasedFileRewritePlanner.MIN_INPUT_FILES, Integer.toString(settings.minInputFiles()));
    if (kind == Kind.COMPACT) {
      // bounds what the engine sorts at once
      options.put(
          SizeBasedFileRewritePlanner.MAX_FILE_GROUP_SIZE_BYTES,
          Long.toString(8 * settings.targetFileSize()));
    } else {
      // a layout orders the rows of a whole partition: one group each, every file of it
      options.put(SizeBasedFileRewritePlanner.REWRITE_ALL, "true");
    }
    planner.init(options);
    String layout = kind.label() + "(" + String.join(", ", order) + ")";
    Map<Long, String> layoutBySequence = new HashMap<>();
    for (Snapshot snapshot : table.snapshots()) {
      String written = snapshot.summary().get(LAYOUT);
      if (written != null) {
        layoutBySequence.put(snapshot.sequenceNumber(), written);
      }
    }
    int specId = table.spec().specId();
    List<Group> groups = new ArrayList<>();
    try (CloseableIterable<RewriteFileGroup> planned = planner.plan().groups()) {
      for (RewriteFileGroup group : planned) {
        List<DataFile> files = new ArrayList<>();
        boolean laidOut = true;
        boolean currentSpec = true;
        for (FileScanTask task : group.fileScanTasks()) {
          DataFile file = task.file();
          files.add(file);
          currentSpec &= file.specId() == specId;
          laidOut &= layout.equals(layoutBySequence.get(file.fileSequenceNumber()));
        }
        if (!currentSpec || (kind != Kind.COMPACT && laidOut)) {
          // files of an older partition spec would change partition: a full refresh rebuilds them
          continue;
        }
        if (kind == Kind.COMPACT && files.size() < 2) {
          continue;
        }
        groups.add(
            new Group(
                files,
                files.get(0).partition(),
                Math.max(1, group.expectedOutputFiles()),
                group.inputFilesSizeInBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the compaction of " + table.name(), e);
    }
    return groups;
  }

  /**
   * One group's rows, written to its output files. Without an order, each output file is written
   * from a share of the group's files (balanced by size: {@link #binPack}), read and written as
   * they are, with no sort and no numbering of rows: what a bin-pack needs on any engine, and on a
   * Spark cluster no shuffle through one task. In an order, the group's rows are numbered in that
   * order once and each output file takes its range of numbers.
   */
  private List<DataFile> rewrite(
      TableWrite write, TableName name, Table table, Group group, Kind kind, List<String> order) {
    Schema schema = write.table().schema();
    TableName scratch = new TableName(SCRATCH_ZONE, name.name());
    long rows = group.files().stream().mapToLong(DataFile::recordCount).sum();
    List<WrittenFile> written = new ArrayList<>();
    if (order.isEmpty()) {
      for (List<DataFile> share : binPack(group.files(), group.outputFiles())) {
        register(scratch, schema, share);
        written.add(write.writeDataFile(session, "SELECT * FROM " + scratch.quoted(), schema));
      }
    } else {
      register(scratch, schema, group.files());
      String ordered = numbered(scratch.quoted(), schema, kind, order, rows);
      long perFile = (rows + group.outputFiles() - 1) / group.outputFiles();
      String columns = columnList(schema);
      String rowsTable = session.temporaryTableReference(ordered);
      for (long from = 0; from < rows; from += perFile) {
        written.add(
            write.writeDataFile(
                session,
                "SELECT "
                    + columns
                    + " FROM "
                    + rowsTable
                    + " WHERE "
                    + ROW
                    + " > "
                    + from
                    + " AND "
                    + ROW
                    + " <= "
                    + (from + perFile)
                    + " ORDER BY "
                    + ROW,
                schema));
      }
      session.dropTemporaryTable(ordered);
    }
    long writtenRows = written.stream().mapToLong(WrittenFile::rowCount).sum();
    if (writtenRows != rows) {
      throw new DataException(
          "Compaction of "
              + name
              + " read "
              + writtenRows
              + " rows from files that hold "
              + rows
              + "; nothing was committed");
    }
    List<DataFile> files = new ArrayList<>();
    for (WrittenFile file : written) {
      files.add(
          table.spec().isUnpartitioned()
              ? write.toDataFile(file)
              : write.toDataFile(file, group.partition()));
    }
    return files;
  }

  private void register(TableName scratch, Schema schema, List<DataFile> files) {
    List<String> paths = files.stream().map(file -> lake.readablePath(file.location())).toList();
    session.registerTable(scratch, schema, paths, dev.sluice.api.engine.ColumnMapping.FIELD_ID);
  }

  /**
   * The files in {@code shares} shares of about equal bytes (at most one share per file): the
   * largest file first, each into the share that holds the fewest bytes so far. Each file is
   * smaller than three quarters of the target size (the planner's small files), so each share ends
   * within that of the group's bytes divided by {@code shares}.
   */
  static List<List<DataFile>> binPack(List<DataFile> files, int shares) {
    int count = Math.max(1, Math.min(shares, files.size()));
    List<List<DataFile>> packed = new ArrayList<>();
    long[] bytes = new long[count];
    for (int i = 0; i < count; i++) {
      packed.add(new ArrayList<>());
    }
    List<DataFile> largestFirst = new ArrayList<>(files);
    largestFirst.sort(
        java.util.Comparator.comparingLong(DataFile::fileSizeInBytes)
            .reversed()
            .thenComparing(DataFile::location));
    for (DataFile file : largestFirst) {
      int smallest = 0;
      for (int i = 1; i < count; i++) {
        if (bytes[i] < bytes[smallest]) {
          smallest = i;
        }
      }
      packed.get(smallest).add(file);
      bytes[smallest] += file.fileSizeInBytes();
    }
    return packed;
  }

  /**
   * Materializes the rows of {@code source} as a temporary table, numbered from 1 in the order
   * asked for, then by every other plain column, so that rows equal in the order's columns are
   * numbered alike on every engine (DuckDB and Spark SQL read this SQL alike); returns the table's
   * name. The numbering is that of one {@code row_number()} over the whole group, computed in
   * {@link #RANGES} pieces ({@link #inOrder}) so that a Spark cluster spreads it over its tasks.
   */
  private String numbered(String source, Schema schema, Kind kind, List<String> order, long rows) {
    List<String> columns = quotedColumns(schema);
    List<String> keys = new ArrayList<>();
    String leading = TableName.quote(order.get(0));
    List<String> temporary = new ArrayList<>();
    try {
      if (kind == Kind.CLUSTER) {
        String ranked = source;
        List<String> withRanks = new ArrayList<>(columns);
        for (int j = 0; j < order.size(); j++) {
          String column = TableName.quote(order.get(j));
          String rank = "_sluice_rank" + j;
          ranked =
              materialize(
                  "sluice_compaction_rank" + j,
                  inOrder(
                      ranked,
                      withRanks,
                      column,
                      List.of(column + " ASC NULLS FIRST"),
                      primitive(schema),
                      "rank()",
                      scaledRank(rows),
                      rank,
                      rows),
                  temporary);
          withRanks.add(rank);
        }
        source =
            materialize("sluice_compaction_z", zValues(ranked, columns, order.size()), temporary);
        leading = "_sluice_z_high";
        keys.add("_sluice_z_high ASC");
        keys.add("_sluice_z_low ASC");
      }
      for (String column : order) {
        keys.add(TableName.quote(column) + " ASC NULLS FIRST");
      }
      for (Types.NestedField field : schema.columns()) {
        if (field.type().isPrimitiveType() && !order.contains(field.name())) {
          keys.add(TableName.quote(field.name()) + " ASC NULLS FIRST");
        }
      }
      String numbered = "sluice_compaction_rows";
      session.createTemporaryTable(
          numbered,
          inOrder(
              source, columns, leading, keys, primitive(schema), "row_number()", "%s", ROW, rows));
      return numbered;
    } finally {
      for (String table : temporary) {
        session.dropTemporaryTable(table);
      }
    }
  }

  private String materialize(String name, String sql, List<String> temporary) {
    session.createTemporaryTable(name, sql);
    temporary.add(name);
    return session.temporaryTableReference(name);
  }

  /**
   * The rows of {@code source} ({@code columns}) with one more column, {@code name}: {@code
   * function} ({@code row_number()} or {@code rank()}) over all of them in the order of {@code
   * keys}, passed through {@code scaled} (a format with one {@code %s}), exactly as one window over
   * the whole source would give it, computed without one. The rows are cut into up to {@link
   * #RANGES} ranges of {@code leading} (the first key's expression, in ascending order with NULLs
   * first), whose bounds come from a sample of the rows (a hash of their {@code hashed} columns, so
   * the same rows on each read); each range is numbered by a window partitioned by the range, and
   * its offset is the number of rows in the ranges before it. Rows equal in {@code leading} are in
   * one range, so the numbers, and the ranks of ties, are those of the whole: the ranges only
   * decide how the work is spread (on Spark, one task per range instead of one for the whole
   * group).
   */
  private String inOrder(
      String source,
      List<String> columns,
      String leading,
      List<String> keys,
      List<String> hashed,
      String function,
      String scaled,
      String name,
      long rows) {
    long sampledEvery = Math.max(1, rows / ((long) RANGES * SAMPLED_PER_RANGE));
    String value = "r." + leading;
    return "WITH sampled AS (SELECT "
        + leading
        + " AS v FROM "
        + source
        + " WHERE "
        + leading
        + " IS NOT NULL AND "
        + session.hashExpression(hashed)
        + " % "
        + sampledEvery
        + " = 0), cuts AS (SELECT DISTINCT v FROM (SELECT v, row_number() OVER (ORDER BY v) AS n,"
        + " count(*) OVER () AS total FROM sampled) AS s WHERE floor(n * "
        + RANGES
        + " / total) <> floor((n - 1) * "
        + RANGES
        + " / total)), bounds AS (SELECT lag(v) OVER (ORDER BY v) AS low, v AS high,"
        + " row_number() OVER (ORDER BY v) AS range_number FROM cuts), ranged AS (SELECT r.*, CASE"
        + " WHEN "
        + value
        + " IS NULL THEN 0 ELSE coalesce(b.range_number, "
        + (RANGES + 1)
        + ") END AS "
        + RANGE
        + " FROM "
        + source
        + " AS r LEFT JOIN bounds AS b ON (b.low IS NULL OR "
        + value
        + " > b.low) AND "
        + value
        + " <= b.high), offsets AS (SELECT "
        + RANGE
        + ", CAST(sum(n) OVER (ORDER BY "
        + RANGE
        + ") - n AS BIGINT) AS _sluice_offset FROM (SELECT "
        + RANGE
        + ", count(*) AS n FROM ranged GROUP BY "
        + RANGE
        + ") AS counted) SELECT "
        + String.join(", ", columns.stream().map(column -> "r." + column).toList())
        + ", "
        + String.format(
            java.util.Locale.ROOT,
            scaled,
            "(o._sluice_offset + "
                + function
                + " OVER (PARTITION BY r."
                + RANGE
                + " ORDER BY "
                + String.join(", ", keys)
                + "))")
        + " AS "
        + name
        + " FROM ranged AS r JOIN offsets AS o ON r."
        + RANGE
        + " = o."
        + RANGE;
  }

  /**
   * A rank among {@code rows} rows as its {@code percent_rank} ({@code (rank - 1) / (rows - 1)}, 0
   * for one row) scaled to 16 bits, so that skewed columns spread evenly.
   */
  private static String scaledRank(long rows) {
    if (rows <= 1) {
      return "0 * %s";
    }
    return "CAST(floor(CAST(%s - 1 AS DOUBLE) / " + (rows - 1) + " * 65535) AS BIGINT)";
  }

  /**
   * Z-order: the ranks' bits interleaved (bit {@code b} of column {@code j} at position {@code b *
   * columns + j}), as two whole numbers, the high and the low half, each under 2^32, so that the 16
   * × 4 = 64 bits of four columns need no unsigned type and no bit operators: portable SQL of
   * {@code floor}, {@code %} and products, ordered by the high half, then the low. Rows close in
   * every column are then close in the files, and a filter on any of the columns prunes files.
   */
  private static String zValues(String ranked, List<String> columnList, int columns) {
    List<String> high = new ArrayList<>();
    List<String> low = new ArrayList<>();
    for (int bit = 0; bit < 16; bit++) {
      for (int j = 0; j < columns; j++) {
        // bit b of the rank, moved to its position within its half
        String value = "(CAST(floor(_sluice_rank" + j + " / " + (1L << bit) + ") AS BIGINT) % 2)";
        if (bit < 8) {
          low.add(value + " * " + (1L << (bit * columns + j)));
        } else {
          high.add(value + " * " + (1L << ((bit - 8) * columns + j)));
        }
      }
    }
    return "SELECT "
        + String.join(", ", columnList)
        + ", "
        + String.join(" + ", high)
        + " AS _sluice_z_high, "
        + String.join(" + ", low)
        + " AS _sluice_z_low FROM "
        + ranked;
  }

  private static List<String> quotedColumns(Schema schema) {
    return schema.columns().stream().map(column -> TableName.quote(column.name())).toList();
  }

  /** The table's plain columns, quoted: what the sample hashes. */
  private static List<String> primitive(Schema schema) {
    return schema.columns().stream()
        .filter(column -> column.type().isPrimitiveType())
        .map(column -> TableName.quote(column.name()))
        .toList();
  }

  private static String columnList(Schema schema) {
    return String.join(
        ", ", schema.columns().stream().map(column -> TableName.quote(column.name())).toList());
  }

  private static void checkColumns(TableName name, Schema schema, List<String> order) {
    for (String column : order) {
      Types.NestedField field = schema.findField(column);
      if (field == null || !field.type().isPrimitiveType()) {
        throw new InvalidInputException(
            "Cannot order "
                + name
                + " by '"
                + column
                + "': "
                + (field == null ? "it has no such column" : "it is not a plain column")
                + " (its columns are: "
                + String.join(", ", schema.columns().stream().map(Types.NestedField::name).toList())
                + "); fix sort_by or cluster_by in the table's maintenance:");
      }
    }
  }

  /** Removes the files a compaction wrote but did not commit. */
  private static void deleteWritten(Table table, List<DataFile> written) {
    for (DataFile file : written) {
      try {
        table.io().deleteFile(file.location());
      } catch (RuntimeException e) {
        // left for orphan cleanup
      }
    }
  }

  private static long total(Snapshot snapshot, String property) {
    if (snapshot == null) {
      return 0;
    }
    String value = snapshot.summary().get(property);
    return value == null ? 0 : Long.parseLong(value);
  }
}
