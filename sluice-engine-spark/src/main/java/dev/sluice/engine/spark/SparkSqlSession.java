package dev.sluice.engine.spark;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.LakeCatalog;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.api.io.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connect.DataFrameWriter;
import org.apache.spark.sql.connect.Dataset;
import org.apache.spark.sql.connect.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.runtime.BoxedUnit;

/**
 * One Spark Connect session: its temporary views are the session's registered tables, views and
 * temporary tables. Lake tables are registered as views named {@code `zone.name`} and the SQL the
 * session runs names them as {@code "zone"."name"}; {@link SparkSql#rewriteTables} bridges the two.
 */
final class SparkSqlSession implements EngineSession {
  /** How often, and how many times at most, {@link #cancel} interrupts a running statement. */
  private static final long CANCEL_INTERVAL_MILLIS = 100;

  private static final int CANCEL_ATTEMPTS = 300;

  private final SparkSession spark;
  private final SparkRemote remote;
  private final boolean readsObjectStore;
  private final Optional<LakeCatalog> catalog;
  private boolean catalogConfigured;
  private final Set<String> registered = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;
  private final Object statements = new Object();
  private int running;

  /**
   * @param readsObjectStore whether the warehouse is in object storage, which this session then
   *     reads and writes at its {@code s3a://} locations
   * @param catalog the lake's Iceberg catalog, which the session reaches itself to merge into the
   *     lake's tables, or empty
   */
  SparkSqlSession(
      SparkSession spark,
      SparkRemote remote,
      boolean readsObjectStore,
      Optional<LakeCatalog> catalog) {
    this.spark = requireNonNull(spark, "spark is null");
    this.remote = requireNonNull(remote, "remote is null");
    this.readsObjectStore = readsObjectStore;
    this.catalog = requireNonNull(catalog, "catalog is null");
  }

  /**
   * The session reaches the lake's catalog when it was given it: a local warehouse Spark's server
   * shares, or one in object storage, whose {@code s3://} files the catalog reads and writes with
   * S3A ({@link LakeCatalogSettings#forWarehouse}).
   */
  @Override
  public boolean mergesIntoLakeTables() {
    return catalog.isPresent();
  }

  /**
   * Runs Iceberg's {@code MERGE INTO catalog.zone.table.branch_<branch> USING (rows) ON keys WHEN
   * MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *}, keys compared with {@code <=>} (NULL
   * equal to NULL, as Sluice's own merge does): {@code *} is every column of the table, taken from
   * the query's column of its name. The table's {@code write.merge.mode} decides how Iceberg writes
   * it (copy-on-write unless set otherwise).
   */
  @Override
  public void mergeIntoLakeTable(TableName table, String branch, String rows, List<String> keys) {
    if (!mergesIntoLakeTables()) {
      throw new UnsupportedOperationException(
          "This Spark session does not reach the lake's Iceberg catalog");
    }
    requireNonNull(table, "table is null");
    requireNonNull(branch, "branch is null");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("A merge needs at least one key column");
    }
    String target =
        String.join(
            ".",
            SparkSql.quote(catalog.get().name()),
            SparkSql.quote(table.zone()),
            SparkSql.quote(table.name()),
            SparkSql.quote("branch_" + branch));
    java.util.StringJoiner sameKey = new java.util.StringJoiner(" AND ");
    for (String key : keys) {
      sameKey.add("existing." + SparkSql.quote(key) + " <=> merged." + SparkSql.quote(key));
    }
    String merge =
        "MERGE INTO "
            + target
            + " AS existing USING ("
            + rewrite(rows)
            + ") AS merged ON "
            + sameKey
            + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *";
    run(
        () -> {
          if (!catalogConfigured) {
            LakeCatalogSettings.of(catalog.get())
                .forEach((key, value) -> spark.conf().set(key, value));
            catalogConfigured = true;
          }
          // the target names the catalog's table, not a registered view: only the rows' query is
          // rewritten
          spark.sql(merge).collectAsList();
          return null;
        });
  }

  @Override
  public boolean readsObjectStoreLocations() {
    return readsObjectStore;
  }

  @Override
  public void registerTable(TableName name, Schema schema, List<String> dataFiles) {
    registerTable(name, schema, dataFiles, ColumnMapping.FIELD_ID);
  }

  @Override
  public void registerTable(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    run(() -> register(name, scan(schema, dataFiles, mapping)));
  }

  @Override
  public void registerTableWithFiles(
      TableName name,
      Schema schema,
      List<String> dataFiles,
      ColumnMapping mapping,
      String fileColumn) {
    run(
        () -> {
          Dataset<Row> scan = scan(schema, dataFiles, mapping);
          if (dataFiles.isEmpty()) {
            register(name, scan.withColumn(fileColumn, functions.lit(null).cast("string")));
            return null;
          }
          // Spark names a row's file as a URI (file:/data/x.parquet); give it back as the lake
          // named it
          List<Column> pairs = new ArrayList<>();
          for (String file : dataFiles) {
            for (String spelling : spellings(file)) {
              pairs.add(functions.lit(spelling));
              pairs.add(functions.lit(file));
            }
          }
          Column path = functions.col("_metadata.file_path");
          Column named =
              functions.coalesce(
                  functions.try_element_at(functions.map(pairs.toArray(Column[]::new)), path),
                  path);
          register(name, scan.select(functions.col("*"), named.as(fileColumn)));
          return null;
        });
  }

  /** How Spark may spell the path of a file the lake named. */
  private static List<String> spellings(String file) {
    if (file.startsWith("/")) {
      return List.of("file:" + file, "file://" + file);
    }
    return List.of(file);
  }

  private Dataset<Row> scan(Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    StructType struct = SparkTypes.struct(schema, mapping == ColumnMapping.FIELD_ID);
    if (dataFiles.isEmpty()) {
      return spark.createDataFrame(Collections.<Row>emptyList(), struct);
    }
    // The client's reader sends a schema as DDL, which drops the field ids; the JSON form keeps
    // them, and the server reads either
    String schemaJson = struct.json();
    return spark.newDataFrame(
        relation -> {
          relation
              .getReadBuilder()
              .getDataSourceBuilder()
              .setFormat("parquet")
              .setSchema(schemaJson)
              .addAllPaths(dataFiles);
          return BoxedUnit.UNIT;
        });
  }

  private Void register(TableName name, Dataset<Row> relation) {
    relation.createOrReplaceTempView(SparkSql.quotedView(name));
    registered.add(SparkSql.viewName(name).toLowerCase(Locale.ROOT));
    return null;
  }

  @Override
  public void registerView(TableName name, String sql) {
    run(() -> register(name, spark.sql(rewrite(sql))));
  }

  @Override
  public ParsedSelect parseSelect(String sql) {
    return SparkSql.parseSelect(sql);
  }

  @Override
  public void execute(String sql) {
    run(
        () -> {
          // a command runs when sent; collecting also runs anything else that returns rows
          spark.sql(rewrite(sql)).collectAsList();
          return null;
        });
  }

  @Override
  public QueryResult query(String sql, int maxRows) {
    return query(sql, List.of(), maxRows);
  }

  @Override
  public QueryResult query(String sql, List<Object> parameters, int maxRows) {
    return run(() -> result(dataset(sql, parameters), maxRows));
  }

  private Dataset<Row> dataset(String sql, List<Object> parameters) {
    String rewritten = rewrite(sql);
    return parameters.isEmpty() ? spark.sql(rewritten) : spark.sql(rewritten, parameters.toArray());
  }

  private static QueryResult result(Dataset<Row> dataset, int maxRows) {
    StructType schema = dataset.schema();
    List<Row> rows =
        dataset.limit(maxRows == Integer.MAX_VALUE ? maxRows : maxRows + 1).collectAsList();
    List<String> columns = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(field.name());
      types.add(field.dataType().sql());
    }
    List<List<Object>> values = new ArrayList<>();
    for (Row row : rows.subList(0, Math.min(rows.size(), maxRows))) {
      List<Object> value = new ArrayList<>(row.length());
      for (int i = 0; i < row.length(); i++) {
        value.add(SparkTypes.javaValue(row.get(i)));
      }
      values.add(Collections.unmodifiableList(value));
    }
    return new QueryResult(columns, types, values, rows.size() > maxRows);
  }

  @Override
  public StatementDescription prepare(String sql) {
    int parameters = SparkSql.countParameters(sql);
    List<Object> unknown = Collections.nCopies(parameters, null);
    return run(
        () -> {
          StructType schema = dataset(sql, unknown).schema();
          List<String> columns = new ArrayList<>();
          List<String> types = new ArrayList<>();
          for (StructField field : schema.fields()) {
            columns.add(field.name());
            types.add(field.dataType().sql());
          }
          return new StatementDescription(
              columns, types, Collections.nCopies(parameters, "UNKNOWN"));
        });
  }

  @Override
  public Schema describe(String sql) {
    return run(() -> SparkTypes.icebergSchema(spark.sql(rewrite(sql)).schema()));
  }

  @Override
  public long createTemporaryTable(String name, String sql) {
    return run(
        () -> {
          // materialized now, as a table is: later changes to what it read do not show through
          Dataset<Row> rows = spark.sql(rewrite(sql)).localCheckpoint(true);
          rows.createOrReplaceTempView(name);
          return rows.count();
        });
  }

  /** A temporary view, named on its own (Spark's temporary views have one-part names). */
  @Override
  public String temporaryTableReference(String name) {
    return SparkSql.quote(name);
  }

  /** {@code named_struct('name', 'ana', ...)}: Spark SQL has no struct literal. */
  @Override
  public String structExpression(Map<String, String> fields) {
    java.util.StringJoiner arguments = new java.util.StringJoiner(", ", "named_struct(", ")");
    fields.forEach(
        (name, value) -> arguments.add(SparkSql.literal(name)).add(SparkSql.literal(value)));
    return arguments.toString();
  }

  /** Spark's string literal: the backslash is an escape in it, so it is escaped too. */
  @Override
  public String stringLiteral(String value) {
    return SparkSql.literal(value);
  }

  /**
   * {@code TIMESTAMP_LTZ '... +00:00'}: Spark's {@code TIMESTAMP} may mean one without time zone
   * ({@code spark.sql.timestampType}); Iceberg's {@code timestamptz} reads as {@code
   * TIMESTAMP_LTZ}.
   */
  @Override
  public String timestampWithTimeZoneLiteral(java.time.Instant instant) {
    return "TIMESTAMP_LTZ '"
        + java.time.LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC)
            .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"))
        + "+00:00'";
  }

  /** Spark's {@code xxhash64}, a 64-bit hash ({@code hash} gives 32 bits). */
  @Override
  public String hashExpression(List<String> expressions) {
    return "xxhash64(" + String.join(", ", expressions) + ")";
  }

  @Override
  public void dropTemporaryTable(String name) {
    run(() -> spark.catalog().dropTempView(name));
  }

  @Override
  public WrittenFile writeParquet(String sql, Schema schema, Path target) {
    return writeParquet(sql, schema, target, null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The table's compression is given to Spark's Parquet writer as options, which override
   * Spark's own {@code spark.sql.parquet.compression.codec} (snappy) for this write, as Iceberg's
   * Spark writer takes the table's {@code write.parquet.compression-*} properties.
   */
  @Override
  public WrittenFile writeParquet(
      String sql, Schema schema, Path target, ParquetCompression compression) {
    Path staging =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".spark");
    try {
      return run(
          () -> {
            compressed(withFieldIds(sql, schema).coalesce(1).write(), compression)
                .mode("overwrite")
                .parquet(staging.toString());
            Path part = onePartFile(staging);
            Files.createDirectories(target.getParent());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            long rows = spark.read().parquet(target.toString()).count();
            return new WrittenFile(target, rows, Files.size(target));
          });
    } finally {
      Directories.deleteRecursively(staging);
    }
  }

  /**
   * Writes one Parquet file into a new directory of the warehouse's object storage, and finds it,
   * its rows and its size by reading the directory back: the file is never moved (a rename in S3 is
   * a copy), so a write that fails leaves at most an orphan file there, which no commit names.
   */
  @Override
  public WrittenFile writeParquet(String sql, Schema schema, String directory) {
    return writeParquet(sql, schema, directory, null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compressed as {@link #writeParquet(String, Schema, Path, ParquetCompression)} is.
   */
  @Override
  public WrittenFile writeParquet(
      String sql, Schema schema, String directory, ParquetCompression compression) {
    if (!readsObjectStore) {
      throw new UnsupportedOperationException(
          "This Spark engine was not given the warehouse's object storage");
    }
    return run(
        () -> {
          compressed(withFieldIds(sql, schema).coalesce(1).write(), compression)
              .mode("errorifexists")
              .parquet(directory);
          List<Row> files =
              spark
                  .read()
                  .parquet(directory)
                  .select(
                      functions.col("_metadata.file_path").as("file"),
                      functions.col("_metadata.file_size").as("size"))
                  .groupBy("file", "size")
                  .count()
                  .collectAsList();
          if (files.size() > 1) {
            throw new IllegalStateException(
                "Spark wrote " + files.size() + " data files into " + directory + ", not one");
          }
          if (files.isEmpty()) {
            // an empty result: Spark wrote a file without rows, which nothing commits
            return WrittenFile.inObjectStore(directory, 0, 0);
          }
          Row file = files.get(0);
          return WrittenFile.inObjectStore(file.getString(0), file.getLong(2), file.getLong(1));
        });
  }

  /**
   * The writer with the Parquet codec and zstd level of {@code compression} as options of this
   * write (Spark's {@code compression} and parquet-mr's {@value #ZSTD_LEVEL}, which Spark hands the
   * Parquet writer through the write's Hadoop configuration); unchanged for null.
   */
  static DataFrameWriter<Row> compressed(
      DataFrameWriter<Row> writer, ParquetCompression compression) {
    if (compression == null) {
      return writer;
    }
    DataFrameWriter<Row> withCodec = writer.option("compression", compression.codec());
    return compression.level() == null
        ? withCodec
        : withCodec.option(ZSTD_LEVEL, Integer.toString(compression.level()));
  }

  /** parquet-mr's setting of the zstd level ({@code ZstandardCodec}). */
  static final String ZSTD_LEVEL = "parquet.compression.codec.zstd.level";

  /** The rows of {@code sql} as the schema's columns, each carrying its Iceberg field id. */
  private Dataset<Row> withFieldIds(String sql, Schema schema) {
    Dataset<Row> result = spark.sql(rewrite(sql));
    List<Column> columns = new ArrayList<>();
    for (Types.NestedField column : schema.columns()) {
      columns.add(
          functions
              .col(SparkSql.quote(column.name()))
              .cast(SparkTypes.sparkType(column))
              .as(column.name(), SparkTypes.fieldId(column.fieldId())));
    }
    return result.select(columns.toArray(Column[]::new));
  }

  /** The one data file Spark wrote into a directory, for one partition. */
  private static Path onePartFile(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> parts =
          files
              .filter(file -> file.getFileName().toString().startsWith("part-"))
              .filter(file -> file.getFileName().toString().endsWith(".parquet"))
              .toList();
      if (parts.size() != 1) {
        throw new IllegalStateException(
            "Spark wrote " + parts.size() + " data files into " + directory + ", not one");
      }
      return parts.get(0);
    }
  }

  @Override
  public void cancel() {
    cancelled = true;
    // A statement sent a moment ago may not be known to the server yet: interrupt again until it
    // stops, for at most CANCEL_ATTEMPTS tries
    try {
      synchronized (statements) {
        int attempts = 0;
        do {
          spark.interruptAll();
          if (running == 0) {
            break;
          }
          statements.wait(CANCEL_INTERVAL_MILLIS);
        } while (running > 0 && ++attempts < CANCEL_ATTEMPTS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      throw SparkErrors.translate(e, remote, false);
    }
  }

  @Override
  public void close() {
    try {
      spark.close();
    } catch (RuntimeException e) {
      // the server forgets an abandoned session by itself
    }
  }

  private String rewrite(String sql) {
    return registered.isEmpty() ? sql : SparkSql.rewriteTables(sql, registered::contains);
  }

  /** Work that may throw checked exceptions: Spark's Scala code throws them undeclared. */
  @FunctionalInterface
  private interface Work<T> {
    T call() throws Exception;
  }

  private <T> T run(Work<T> work) {
    synchronized (statements) {
      if (cancelled) {
        throw new QueryCancelledException("cancelled: the session was cancelled", null);
      }
      running++;
    }
    try {
      return work.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Throwable e) { // Scala code throws checked exceptions, and RetriesExceeded, undeclared
      throw SparkErrors.translate(e, remote, cancelled);
    } finally {
      synchronized (statements) {
        running--;
        statements.notifyAll();
      }
    }
  }
}
