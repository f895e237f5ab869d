package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.lake.DataFileScan;
import dev.sluice.lake.FileRewrite;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A merge as Iceberg's copy-on-write: only the table's data files that hold a key of the staged
 * rows are rewritten (their rows of other keys, with the staged rows), and the commit removes them
 * and adds the new file; every other file stays as it is. Merging 10 changed rows into a table of
 * 100 million so costs the files that hold those 10 keys, not the table.
 *
 * <p>The files are found in two passes: Iceberg's column bounds prune the files whose key range
 * cannot hold a staged key, then the engine reads the key columns of the rest and names the files
 * where a staged key is.
 */
public final class FileMerge {
  /**
   * Up to this many distinct staged keys of a column, files are pruned by each key's value against
   * their bounds; beyond it, by the keys' range.
   */
  static final int MAX_LISTED_KEYS = 10_000;

  /** Iceberg compares at most this many values of an IN with a file's bounds (its own limit). */
  private static final int IN_CHUNK = 200;

  private static final String FILE_COLUMN = "_sluice_data_file";

  /** Where the files a merge reads are registered in the session, apart from the table itself. */
  private static final String SCRATCH_ZONE = "sluice_merge";

  /**
   * What to write and commit.
   *
   * @param rows the SQL of the new file's rows: the staged rows and the kept rows of the rewritten
   *     files
   * @param rewrite the files to remove, read at one snapshot
   * @param filesRead how many files the bounds left to read the keys of
   */
  public record Plan(String rows, FileRewrite rewrite, int filesRead) {}

  private FileMerge() {}

  /**
   * Plans the merge of {@code staged} (rows as {@code stagedRows}, rows that delete left out) into
   * the table on {@code keys}: reads the current snapshot of main, whose id the rewrite carries for
   * the commit's conflict check. The plan's rows are then written and committed as a {@code
   * WriteOperation.rewriteFiles} of the rewrite.
   */
  public static Plan plan(
      Lake lake,
      EngineSession session,
      TableName target,
      String staged,
      List<String> keys,
      String stagedRows) {
    return plan(lake, session, target, staged, keys, stagedRows, ReadPoint.main());
  }

  /**
   * As {@link #plan(Lake, EngineSession, TableName, String, List, String)}, merging into the
   * version of the table {@code readPoint} reads (an environment's branch, else main), whose
   * snapshot the rewrite carries. The SQL is portable: it runs on every engine that can tell the
   * file of a row ({@link EngineSession#registerTableWithFiles}), DuckDB and Spark.
   */
  public static Plan plan(
      Lake lake,
      EngineSession session,
      TableName target,
      String staged,
      List<String> keys,
      String stagedRows,
      ReadPoint readPoint) {
    Schema schema = lake.loadTable(target).schema();
    DataFileScan scan =
        lake.scanDataFiles(target, readPoint, keyFilter(session, schema, staged, keys));
    TableScanFiles read = scan.read();
    if (read.dataFiles().isEmpty()) {
      return new Plan(stagedRows, new FileRewrite(read.snapshotId(), List.of()), 0);
    }
    TableName files = new TableName(SCRATCH_ZONE, target.name());
    session.registerTableWithFiles(
        files, read.schema(), read.dataFiles(), read.columnMapping(), FILE_COLUMN);
    String sameKey = sameKey(keys);
    QueryResult touched =
        session.query(
            "SELECT DISTINCT existing."
                + TableName.quote(FILE_COLUMN)
                + " FROM "
                + files.quoted()
                + " AS existing WHERE EXISTS (SELECT 1 FROM "
                + TableName.quote(staged)
                + " AS staged WHERE "
                + sameKey
                + ")",
            Integer.MAX_VALUE);
    List<String> touchedPaths = new ArrayList<>();
    List<DataFile> removed = new ArrayList<>();
    for (List<Object> row : touched.rows()) {
      String path = (String) row.get(0);
      touchedPaths.add(path);
      removed.add(scan.file(path));
    }
    FileRewrite rewrite = new FileRewrite(read.snapshotId(), removed);
    if (touchedPaths.isEmpty()) {
      return new Plan(stagedRows, rewrite, read.dataFiles().size());
    }
    session.registerTable(files, read.schema(), touchedPaths, read.columnMapping());
    String kept =
        "SELECT * FROM "
            + files.quoted()
            + " AS existing WHERE NOT EXISTS (SELECT 1 FROM "
            + TableName.quote(staged)
            + " AS staged WHERE "
            + sameKey
            + ")";
    // DuckDB's UNION ALL BY NAME is not Spark SQL
    String rows = ModelStep.unionAllByName(session, stagedRows, kept);
    return new Plan(rows, rewrite, read.dataFiles().size());
  }

  private static String sameKey(List<String> keys) {
    StringJoiner sameKey = new StringJoiner(" AND ");
    for (String key : keys) {
      String column = TableName.quote(key);
      sameKey.add("staged." + column + " IS NOT DISTINCT FROM existing." + column);
    }
    return sameKey.toString();
  }

  /**
   * A filter that keeps the files whose bounds may hold a staged key: for each key column of a
   * whole-number or string type, its staged values (up to {@link #MAX_LISTED_KEYS}) or else their
   * range. Other columns, and columns with a NULL staged key, are not filtered on.
   */
  static Expression keyFilter(
      EngineSession session, Schema schema, String staged, List<String> keys) {
    Expression filter = Expressions.alwaysTrue();
    for (String key : keys) {
      Types.NestedField field = schema.findField(key);
      String cast = field == null ? null : castFor(field.type());
      if (cast == null) {
        continue;
      }
      String quoted = TableName.quote(key);
      String value = "CAST(" + quoted + " AS " + cast + ")";
      String from = " FROM " + TableName.quote(staged);
      List<Object> stats =
          session
              .query(
                  "SELECT count(*) FILTER (WHERE "
                      + quoted
                      + " IS NULL), count(DISTINCT "
                      + quoted
                      + "), min("
                      + value
                      + "), max("
                      + value
                      + ")"
                      + from,
                  1)
              .rows()
              .get(0);
      long distinct = ((Number) stats.get(1)).longValue();
      if (((Number) stats.get(0)).longValue() > 0 || distinct == 0) {
        continue;
      }
      Expression column;
      if (distinct > MAX_LISTED_KEYS) {
        column =
            Expressions.and(
                Expressions.greaterThanOrEqual(key, stats.get(2)),
                Expressions.lessThanOrEqual(key, stats.get(3)));
      } else {
        List<Object> values =
            session
                .query("SELECT DISTINCT " + value + from + " ORDER BY 1", MAX_LISTED_KEYS)
                .rows()
                .stream()
                .map(row -> row.get(0))
                .toList();
        column = Expressions.alwaysFalse();
        for (int start = 0; start < values.size(); start += IN_CHUNK) {
          List<Object> chunk = values.subList(start, Math.min(values.size(), start + IN_CHUNK));
          column = Expressions.or(column, Expressions.in(key, chunk));
        }
      }
      filter = Expressions.and(filter, column);
    }
    return filter;
  }

  /** The engine type to read a key as for Iceberg's bounds, or null to not filter on it. */
  private static String castFor(Type type) {
    return switch (type.typeId()) {
      case INTEGER, LONG -> "BIGINT";
      // STRING, not VARCHAR: Spark's VARCHAR needs a length; DuckDB reads STRING as VARCHAR
      case STRING -> "STRING";
      default -> null;
    };
  }
}
