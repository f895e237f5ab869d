package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.Relations;
import dev.sluice.lake.DataFileScan;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;

/**
 * The difference between production's version of a table and an environment's ({@code sluice diff
 * TABLE --env NAME}): rows only in one side, and with a key the rows changed and which columns
 * changed. Data files both versions share are left out of the comparison before any row is read:
 * their rows are on both sides alike.
 */
public final class DataDiff {
  private static final int SAMPLE_ROWS = 10;

  /** Below this many rows to compare (both sides), they are compared without hashing first. */
  static final long BUCKETED_ROWS = 100_000;

  /** About how many rows (both sides) share a bucket of {@link #sameBuckets}. */
  private static final long ROWS_PER_BUCKET = 1_000;

  private static final String PRODUCTION_BUCKETS = "sluice_diff_production_buckets";
  private static final String ENVIRONMENT_BUCKETS = "sluice_diff_environment_buckets";
  private static final String DIFFERING_BUCKETS = "sluice_diff_differing_buckets";
  private static final String PRODUCTION_ROWS = "sluice_diff_production_rows";
  private static final String ENVIRONMENT_ROWS = "sluice_diff_environment_rows";

  private final Workspace workspace;

  public DataDiff(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * The difference.
   *
   * @param sharedFiles data files both versions reference, not compared row by row
   * @param samePartitions partitions whose rows hash alike on both sides (their files are not
   *     compared row by row)
   * @param comparedFiles data files read row by row, both sides together
   * @param sameBuckets groups of rows (by a hash of the key, or of the whole row without a key)
   *     whose count and hash sum are the same on both sides, left out of the row by row comparison
   * @param comparedRows rows compared row by row, both sides together
   * @param changed rows whose key is on both sides with another value in a compared column, or null
   *     without a key
   * @param changedByColumn per compared column, how many rows changed in it (empty without a key)
   * @param sample up to 10 changed rows (with a key) or rows only in the environment (without)
   */
  public record Result(
      TableName table,
      String environment,
      Long productionSnapshot,
      Long environmentSnapshot,
      long productionRows,
      long environmentRows,
      int sharedFiles,
      int samePartitions,
      int comparedFiles,
      int sameBuckets,
      long comparedRows,
      long onlyInProduction,
      long onlyInEnvironment,
      Long changed,
      Map<String, Long> changedByColumn,
      List<String> addedColumns,
      List<String> removedColumns,
      QueryResult sample) {}

  /**
   * Compares the table's version on main with the environment's.
   *
   * @param keys the columns that identify a row, or empty to compare whole rows
   * @throws InvalidInputException for an unknown environment or table, or a key column that is not
   *     in both versions
   */
  public Result diff(TableName table, String environment, List<String> keys) {
    new Environments(workspace).requireExists(environment);
    TableName left = new TableName(table.zone(), "sluice_diff_production");
    TableName right = new TableName(table.zone(), "sluice_diff_environment");
    try (EngineSession session = workspace.engine().openSession()) {
      // an engine that reads object storage itself (a Spark cluster) reads the files there
      Lake lake = workspace.lake().readBy(session);
      Sides sides;
      if (lake.findTable(table).isPresent()) {
        sides = tables(lake, session, table, environment, left, right);
      } else if (lake.findView(table, ReadPoint.environment(environment)).isPresent()) {
        sides = views(lake, session, table, environment, left, right);
      } else {
        throw new InvalidInputException(
            "Table "
                + table
                + " does not exist: 'sluice tables --env "
                + environment
                + "' lists them");
      }
      return compare(session, table, environment, keys, sides, left, right);
    }
  }

  /**
   * What is compared: each side registered in the session, its schema, snapshot and rows, and how
   * many data files the sides share (left out of both).
   */
  private record Sides(
      Schema production,
      Schema environment,
      Long productionSnapshot,
      Long environmentSnapshot,
      long productionRows,
      long environmentRows,
      int sharedFiles,
      int samePartitions,
      int comparedFiles,
      long comparedProductionRows,
      long comparedEnvironmentRows) {}

  /**
   * A table's two versions: main and the environment's branch, without the files they share and, in
   * a partitioned table, without the partitions whose rows hash alike on both sides.
   */
  private static Sides tables(
      Lake lake,
      EngineSession session,
      TableName table,
      String environment,
      TableName left,
      TableName right) {
    Expression all = Expressions.alwaysTrue();
    DataFileScan productionFiles = lake.scanDataFiles(table, ReadPoint.main(), all);
    DataFileScan environmentFiles =
        lake.scanDataFiles(table, ReadPoint.environment(environment), all);
    TableScanFiles production = productionFiles.read();
    TableScanFiles changedVersion = environmentFiles.read();
    Set<String> shared = new HashSet<>(production.dataFiles());
    shared.retainAll(changedVersion.dataFiles());
    Set<String> skipped = new HashSet<>(shared);
    int samePartitions =
        samePartitions(lake, session, table, productionFiles, environmentFiles, shared, skipped);
    int compared =
        register(session, left, production.schema(), production, skipped)
            + register(session, right, changedVersion.schema(), changedVersion, skipped);
    return new Sides(
        production.schema(),
        changedVersion.schema(),
        production.snapshotId(),
        changedVersion.snapshotId(),
        production.recordCount(),
        changedVersion.recordCount(),
        shared.size(),
        samePartitions,
        compared,
        rows(productionFiles, skipped),
        rows(environmentFiles, skipped));
  }

  /**
   * Compares the partitions of a partitioned table by a hash of their rows before any row is
   * compared: each side's files of a partition (those the sides do not share) are read once for
   * their row count and the sum of a 64-bit hash of each row over the columns both sides have, and
   * a partition whose count and sum are the same on both sides is left out of the row by row
   * comparison (its files are added to {@code skipped}). A rebuilt table whose change touched one
   * partition is then compared row by row in that partition only. Equal sums of different rows are
   * possible in principle (a 64-bit hash per row), not in practice.
   *
   * @return how many partitions hashed alike
   */
  private static int samePartitions(
      Lake lake,
      EngineSession session,
      TableName table,
      DataFileScan production,
      DataFileScan environment,
      Set<String> shared,
      Set<String> skipped) {
    Table loaded = lake.loadTable(table);
    if (loaded.specs().values().stream().allMatch(PartitionSpec::isUnpartitioned)) {
      return 0;
    }
    Map<String, List<String>> productionPartitions = byPartition(loaded, production, shared);
    Map<String, List<String>> environmentPartitions = byPartition(loaded, environment, shared);
    if (productionPartitions.size() < 2) {
      return 0; // one partition: hashing it first would only read it twice
    }
    List<String> common = new ArrayList<>();
    for (Types.NestedField column : production.read().schema().columns()) {
      Types.NestedField other = environment.read().schema().findField(column.name());
      if (other != null && other.type().equals(column.type())) {
        common.add(column.name());
      }
    }
    if (common.isEmpty()) {
      return 0;
    }
    String hashed = "SELECT count(*), " + hashSum(session, common) + " FROM ";
    TableName probe = new TableName(table.zone(), "sluice_diff_partition");
    int same = 0;
    for (Map.Entry<String, List<String>> partition : productionPartitions.entrySet()) {
      List<String> environmentFiles = environmentPartitions.get(partition.getKey());
      if (environmentFiles == null) {
        continue;
      }
      session.registerTable(
          probe,
          production.read().schema(),
          partition.getValue(),
          production.read().columnMapping());
      List<Object> productionHash = session.query(hashed + probe.quoted(), 1).rows().get(0);
      session.registerTable(
          probe, environment.read().schema(), environmentFiles, environment.read().columnMapping());
      List<Object> environmentHash = session.query(hashed + probe.quoted(), 1).rows().get(0);
      if (String.valueOf(productionHash).equals(String.valueOf(environmentHash))) {
        skipped.addAll(partition.getValue());
        skipped.addAll(environmentFiles);
        same++;
      }
    }
    return same;
  }

  /** The rows of a scan's files but those left out. */
  private static long rows(DataFileScan scan, Set<String> leftOut) {
    long rows = 0;
    for (int i = 0; i < scan.files().size(); i++) {
      if (!leftOut.contains(scan.read().dataFiles().get(i))) {
        rows += scan.files().get(i).recordCount();
      }
    }
    return rows;
  }

  /** The files of a scan (but the shared ones) by partition, as its path in the table. */
  private static Map<String, List<String>> byPartition(
      Table table, DataFileScan scan, Set<String> shared) {
    Map<String, List<String>> partitions = new LinkedHashMap<>();
    for (int i = 0; i < scan.files().size(); i++) {
      String path = scan.read().dataFiles().get(i);
      if (shared.contains(path)) {
        continue;
      }
      DataFile file = scan.files().get(i);
      PartitionSpec spec = table.specs().get(file.specId());
      String partition = file.specId() + "/" + spec.partitionToPath(file.partition());
      partitions.computeIfAbsent(partition, key -> new ArrayList<>()).add(path);
    }
    return partitions;
  }

  /**
   * A view's two versions: production's view and the environment's (its own, else production's),
   * each read over the versions of the tables its side reads, materialized for the comparison.
   */
  private static Sides views(
      Lake lake,
      EngineSession session,
      TableName view,
      String environment,
      TableName left,
      TableName right) {
    long productionRows = 0;
    Schema productionSchema = new Schema();
    if (lake.findView(view).isPresent()) {
      new Relations(lake, session, ReadPoint.main()).register(view);
      productionRows = session.createTemporaryTable(left.name(), "SELECT * FROM " + view.quoted());
      productionSchema = lake.findView(view).orElseThrow().schema();
    } else {
      session.createTemporaryTable(left.name(), "SELECT 1 AS sluice_none WHERE false");
    }
    new Relations(lake, session, ReadPoint.environment(environment)).register(view);
    long environmentRows =
        session.createTemporaryTable(right.name(), "SELECT * FROM " + view.quoted());
    Schema environmentSchema =
        lake.findView(view, ReadPoint.environment(environment)).orElseThrow().schema();
    session.registerView(left, "SELECT * FROM " + session.temporaryTableReference(left.name()));
    session.registerView(right, "SELECT * FROM " + session.temporaryTableReference(right.name()));
    return new Sides(
        productionSchema,
        environmentSchema,
        null,
        null,
        productionRows,
        environmentRows,
        0,
        0,
        0,
        productionRows,
        environmentRows);
  }

  private Result compare(
      EngineSession session,
      TableName table,
      String environment,
      List<String> keys,
      Sides sides,
      TableName left,
      TableName right) {
    List<String> common = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Types.NestedField column : sides.production().columns()) {
      if (sides.environment().findField(column.name()) != null) {
        common.add(column.name());
      } else {
        removed.add(column.name());
      }
    }
    List<String> added = new ArrayList<>();
    for (Types.NestedField column : sides.environment().columns()) {
      if (sides.production().findField(column.name()) == null) {
        added.add(column.name());
      }
    }
    List<String> keyColumns = new ArrayList<>();
    for (String key : keys) {
      String found =
          common.stream()
              .filter(column -> column.equalsIgnoreCase(key.strip()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "Key column '"
                              + key
                              + "' is not in both versions of "
                              + table
                              + ": use columns of "
                              + String.join(", ", common)));
      keyColumns.add(found);
    }
    Buckets buckets = sameBuckets(session, sides, keyColumns, common, left, right);
    String columns = columnList(common, null);
    long onlyInProduction;
    long onlyInEnvironment;
    Long changed = null;
    Map<String, Long> changedByColumn = new LinkedHashMap<>();
    QueryResult sample;
    if (keyColumns.isEmpty()) {
      onlyInProduction = count(session, except(columns, left, right));
      onlyInEnvironment = count(session, except(columns, right, left));
      sample = session.query(except(columns, right, left), SAMPLE_ROWS);
    } else {
      StringJoiner on = new StringJoiner(" AND ");
      keyColumns.forEach(
          key ->
              on.add(
                  "p." + TableName.quote(key) + " IS NOT DISTINCT FROM e." + TableName.quote(key)));
      onlyInProduction =
          count(
              session,
              "SELECT 1 FROM " + left.quoted() + " p ANTI JOIN " + right.quoted() + " e ON " + on);
      onlyInEnvironment =
          count(
              session,
              "SELECT 1 FROM " + right.quoted() + " e ANTI JOIN " + left.quoted() + " p ON " + on);
      List<String> compared =
          common.stream().filter(column -> !keyColumns.contains(column)).toList();
      StringJoiner counts = new StringJoiner(", ");
      StringJoiner any = new StringJoiner(" OR ");
      for (int i = 0; i < compared.size(); i++) {
        String column = compared.get(i);
        String distinct =
            "p." + TableName.quote(column) + " IS DISTINCT FROM e." + TableName.quote(column);
        // named: with one column, Spark would name both counts alike and refuse the result
        counts.add("count(*) FILTER (WHERE " + distinct + ") AS changed_" + i);
        any.add(distinct);
      }
      String joined = " FROM " + left.quoted() + " p JOIN " + right.quoted() + " e ON " + on;
      if (compared.isEmpty()) {
        changed = 0L;
        sample = session.query("SELECT 1 WHERE false", 1);
      } else {
        List<Object> row =
            session
                .query(
                    "SELECT count(*) FILTER (WHERE " + any + ") AS changed, " + counts + joined, 1)
                .rows()
                .get(0);
        changed = ((Number) row.get(0)).longValue();
        for (int i = 0; i < compared.size(); i++) {
          changedByColumn.put(compared.get(i), ((Number) row.get(i + 1)).longValue());
        }
        StringJoiner shown = new StringJoiner(", ");
        keyColumns.forEach(key -> shown.add("p." + TableName.quote(key)));
        for (String column : compared) {
          shown.add(
              "p." + TableName.quote(column) + " AS " + TableName.quote(column + " (production)"));
          shown.add(
              "e."
                  + TableName.quote(column)
                  + " AS "
                  + TableName.quote(column + " (" + environment + ")"));
        }
        sample =
            session.query(
                "SELECT "
                    + shown
                    + joined
                    + " WHERE "
                    + any
                    + " ORDER BY "
                    + columnList(keyColumns, "p"),
                SAMPLE_ROWS);
      }
    }
    return new Result(
        table,
        environment,
        sides.productionSnapshot(),
        sides.environmentSnapshot(),
        sides.productionRows(),
        sides.environmentRows(),
        sides.sharedFiles(),
        sides.samePartitions(),
        sides.comparedFiles(),
        buckets.same(),
        buckets.comparedRows(),
        onlyInProduction,
        onlyInEnvironment,
        changed,
        changedByColumn,
        added,
        removed,
        sample);
  }

  /** How many groups of rows hashed alike, and how many rows are then compared, both sides. */
  private record Buckets(int same, long comparedRows) {}

  /**
   * Leaves out of the row by row comparison the rows that hash alike on both sides, when many rows
   * remain to compare: each side's rows are grouped into buckets by a hash of the key (of the whole
   * row without a key), so that a row and its other version fall into the same bucket, and each
   * bucket's row count and sum of 64-bit row hashes (over the columns both sides have) are computed
   * in one pass per side, an aggregation, not a join. Only the rows of buckets whose count or sum
   * differ are then compared, the sides narrowed to them: a 10-million-row table rebuilt in full
   * with 100 changed rows is joined over about 200,000 rows instead of 20 million (bench suite
   * environments). Skipped when a column both sides have changed its type (every row would hash
   * apart), or when the differing buckets hold most of the rows (narrowing would read the sides
   * once more for nothing). Equal counts and sums of different rows are possible in principle, not
   * in practice. As with shared files, the result is exact for whole rows and for unique keys.
   */
  private static Buckets sameBuckets(
      EngineSession session,
      Sides sides,
      List<String> keyColumns,
      List<String> common,
      TableName left,
      TableName right) {
    long rows = sides.comparedProductionRows() + sides.comparedEnvironmentRows();
    Buckets whole = new Buckets(0, rows);
    if (rows < BUCKETED_ROWS || common.isEmpty()) {
      return whole;
    }
    for (String column : common) {
      if (!sides
          .production()
          .findField(column)
          .type()
          .equals(sides.environment().findField(column).type())) {
        return whole;
      }
    }
    long count = Math.max(2, rows / ROWS_PER_BUCKET);
    // the hash may be negative (Spark's): its remainder is brought into 0 .. count - 1
    String hash = hash(session, keyColumns.isEmpty() ? common : keyColumns);
    String bucket = "((" + hash + " % " + count + ") + " + count + ") % " + count;
    String summary =
        "SELECT "
            + bucket
            + " AS bucket, count(*) AS n, "
            + hashSum(session, common)
            + " AS h FROM ";
    session.createTemporaryTable(PRODUCTION_BUCKETS, summary + left.quoted() + " GROUP BY ALL");
    session.createTemporaryTable(ENVIRONMENT_BUCKETS, summary + right.quoted() + " GROUP BY ALL");
    String production = session.temporaryTableReference(PRODUCTION_BUCKETS);
    String environment = session.temporaryTableReference(ENVIRONMENT_BUCKETS);
    long total =
        count(
            session,
            "SELECT bucket FROM " + production + " UNION SELECT bucket FROM " + environment);
    long differing =
        session.createTemporaryTable(
            DIFFERING_BUCKETS,
            "SELECT coalesce(p.bucket, e.bucket) AS bucket FROM "
                + production
                + " p FULL JOIN "
                + environment
                + " e ON p.bucket = e.bucket WHERE p.n IS DISTINCT FROM e.n"
                + " OR p.h IS DISTINCT FROM e.h");
    String inDiffering =
        " WHERE bucket IN (SELECT bucket FROM "
            + session.temporaryTableReference(DIFFERING_BUCKETS)
            + ")";
    long differingRows =
        ((Number)
                session
                    .query(
                        "SELECT coalesce((SELECT sum(n) FROM "
                            + production
                            + inDiffering
                            + "), 0) + coalesce((SELECT sum(n) FROM "
                            + environment
                            + inDiffering
                            + "), 0)",
                        1)
                    .rows()
                    .get(0)
                    .get(0))
            .longValue();
    if (differingRows * 2 > rows) {
      return whole;
    }
    String narrowed =
        " WHERE "
            + bucket
            + " IN (SELECT bucket FROM "
            + session.temporaryTableReference(DIFFERING_BUCKETS)
            + ")";
    session.createTemporaryTable(PRODUCTION_ROWS, "SELECT * FROM " + left.quoted() + narrowed);
    session.createTemporaryTable(ENVIRONMENT_ROWS, "SELECT * FROM " + right.quoted() + narrowed);
    session.registerView(left, "SELECT * FROM " + session.temporaryTableReference(PRODUCTION_ROWS));
    session.registerView(
        right, "SELECT * FROM " + session.temporaryTableReference(ENVIRONMENT_ROWS));
    return new Buckets((int) (total - differing), differingRows);
  }

  /** Registers the files of a scan but those left out; returns how many it registered. */
  private static int register(
      EngineSession session,
      TableName name,
      Schema schema,
      TableScanFiles scan,
      Set<String> leftOut) {
    List<String> files = scan.dataFiles().stream().filter(file -> !leftOut.contains(file)).toList();
    session.registerTable(name, schema, files, scan.columnMapping());
    return files.size();
  }

  /** The engine's 64-bit hash of the columns' values. */
  private static String hash(EngineSession session, List<String> columns) {
    return session.hashExpression(columns.stream().map(TableName::quote).toList());
  }

  /** The sum of the rows' hashes, exact (a {@code DECIMAL(38, 0)} does not overflow). */
  private static String hashSum(EngineSession session, List<String> columns) {
    return "sum(CAST(" + hash(session, columns) + " AS DECIMAL(38, 0)))";
  }

  private static String except(String columns, TableName from, TableName minus) {
    return "SELECT "
        + columns
        + " FROM "
        + from.quoted()
        + " EXCEPT ALL SELECT "
        + columns
        + " FROM "
        + minus.quoted();
  }

  private static long count(EngineSession session, String sql) {
    return ((Number)
            session.query("SELECT count(*) FROM (" + sql + ") AS rows_", 1).rows().get(0).get(0))
        .longValue();
  }

  private static String columnList(List<String> columns, String alias) {
    StringJoiner list = new StringJoiner(", ");
    columns.forEach(
        column -> list.add((alias == null ? "" : alias + ".") + TableName.quote(column)));
    return list.length() == 0 ? "1" : list.toString();
  }
}
