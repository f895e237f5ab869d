package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.FooterStatistics;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.core.state.TableProfile;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile that takes row count, null counts and exact bounds from the Parquet footers is the
 * profile computed from the values alone: on every type the lake writes, with nulls, several files
 * and row groups, and the values whose footer bounds are not exact (truncated long text, NaN,
 * infinities, signed zero), which are then computed from the values.
 */
class DataProfilerFootersTest {
  @TempDir Path directory;

  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.optional(1, "flag", Types.BooleanType.get()),
          Types.NestedField.optional(2, "small", Types.IntegerType.get()),
          Types.NestedField.optional(3, "big", Types.LongType.get()),
          Types.NestedField.optional(4, "ratio", Types.FloatType.get()),
          Types.NestedField.optional(5, "score", Types.DoubleType.get()),
          Types.NestedField.optional(6, "amount", Types.DecimalType.of(15, 2)),
          Types.NestedField.optional(7, "wide", Types.DecimalType.of(38, 10)),
          Types.NestedField.optional(8, "day", Types.DateType.get()),
          Types.NestedField.optional(9, "clock", Types.TimeType.get()),
          Types.NestedField.optional(10, "local", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(11, "instant", Types.TimestampType.withZone()),
          Types.NestedField.optional(12, "name", Types.StringType.get()),
          Types.NestedField.optional(13, "id", Types.UUIDType.get()),
          Types.NestedField.optional(14, "payload", Types.BinaryType.get()),
          Types.NestedField.optional(
              15,
              "info",
              Types.StructType.of(
                  Types.NestedField.optional(16, "a", Types.LongType.get()),
                  Types.NestedField.optional(17, "b", Types.StringType.get()))),
          Types.NestedField.optional(
              18, "tags", Types.ListType.ofOptional(19, Types.IntegerType.get())),
          Types.NestedField.optional(20, "email", Types.StringType.get()),
          Types.NestedField.optional(21, "note", Types.StringType.get()));

  /** 300,000 rows: three row groups, a null in every column every seventh row. */
  private static final String MANY =
      """
      SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
        CASE WHEN i % 7 = 1 THEN NULL ELSE i - 150000 END AS small,
        CASE WHEN i % 7 = 2 THEN NULL ELSE i * 1000003 END AS big,
        CASE WHEN i % 7 = 3 THEN NULL ELSE i / 3.0 END AS ratio,
        CASE WHEN i % 7 = 4 THEN NULL ELSE i / 7.0 - 5 END AS score,
        CASE WHEN i % 7 = 5 THEN NULL ELSE i * 0.01 - 7 END AS amount,
        CASE WHEN i % 7 = 6 THEN NULL ELSE i * 123456789.0123456789 END AS wide,
        CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) END AS day,
        CASE WHEN i % 7 = 1 THEN NULL
          ELSE TIME '00:00:00' + to_microseconds(i * 287) END AS clock,
        CASE WHEN i % 7 = 2 THEN NULL
          ELSE TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1000003) END AS local,
        CASE WHEN i % 7 = 3 THEN NULL
          ELSE TIMESTAMPTZ '2024-01-01 00:00:00+02' + to_microseconds(i * 999) END AS instant,
        CASE WHEN i % 7 = 4 THEN NULL ELSE 'name-' || (i * 7919 % 100003) END AS name,
        CASE WHEN i % 7 = 5 THEN NULL
          ELSE CAST(md5(CAST(i AS VARCHAR))[1:8] || '-0000-4000-8000-' || lpad(CAST(i AS VARCHAR), 12, '0') AS UUID)
          END AS id,
        CAST('x' AS BLOB) AS payload,
        {'a': i, 'b': 'b' || i} AS info,
        [i % 10, NULL] AS tags,
        CASE WHEN i % 7 = 6 THEN NULL ELSE 'p' || i || '@example.com' END AS email,
        CASE WHEN i % 7 = 0 THEN NULL ELSE 'ü' || i END AS note
      FROM range(300000) AS t(i)
      """;

  /**
   * Values whose footer bounds are not exact, or absent: NaN and infinities, -0.0, a text longer
   * than DuckDB's statistics limit; and a column of nulls only.
   */
  private static final String EDGES =
      """
      SELECT * FROM (VALUES
        (NULL, NULL, -9223372036854775807, CAST('-inf' AS FLOAT), CAST('nan' AS DOUBLE),
          -9999999999999.99, CAST('-9999999999999999999999999999.9999999999' AS DECIMAL(38,10)),
          DATE '1900-01-01', TIME '23:59:59.999999', TIMESTAMP '1970-01-01 00:00:00',
          TIMESTAMPTZ '2100-06-30 23:59:59.999999+05', repeat('z', 20000),
          CAST('ffffffff-ffff-ffff-ffff-ffffffffffff' AS UUID), NULL, NULL, NULL,
          'a@example.com', repeat('é', 30000)),
        (true, NULL, 0, CAST('-0.0' AS FLOAT), CAST('-0.0' AS DOUBLE), 0, 0, NULL, NULL, NULL,
          NULL, '', CAST('00000000-0000-0000-0000-000000000000' AS UUID), NULL, NULL, [], NULL,
          ''))
      AS t(flag, small, big, ratio, score, amount, wide, day, clock, local, instant, name, id,
        payload, info, tags, email, note)
      """;

  @Test
  void theProfileFromTheFootersIsTheProfileFromTheValues() {
    try (DuckDbEngine engine = DuckDbEngine.start(directory.resolve("spill"), "512MB");
        EngineSession session = engine.openSession()) {
      List<WrittenFile> files =
          List.of(
              session.writeParquet(MANY, SCHEMA, directory.resolve("many.parquet")),
              session.writeParquet(EDGES, SCHEMA, directory.resolve("edges.parquet")),
              session.writeParquet(
                  "SELECT * FROM (" + MANY + ") WHERE small < -149000",
                  SCHEMA,
                  directory.resolve("few.parquet")));
      DataProfiler profiler =
          new DataProfiler(
              (table, column) -> column.equals("email") ? Set.of("pii.email") : Set.of());
      TableName table = new TableName("raw", "things");

      TableProfile fromFooters = profiler.profile(session, table, null, SCHEMA, files, true);
      TableProfile fromValues = profiler.profile(session, table, null, SCHEMA, files, false);

      assertThat(fromFooters).isEqualTo(fromValues);
      assertThat(fromFooters.rowCount()).isEqualTo(300_000 + 2 + 857);
      assertThat(fromFooters.column("small").min()).isEqualTo("-150000");
      assertThat(fromFooters.column("email").min()).isNull();

      // the footers gave what they give exactly, and nothing else
      FooterStatistics footers =
          session
              .footerStatistics(SCHEMA, files.stream().map(WrittenFile::location).toList())
              .orElseThrow();
      assertThat(footers.rowCount()).isEqualTo(fromValues.rowCount());
      assertThat(footers.column("amount").rangeExact()).isTrue();
      assertThat(footers.column("amount").min()).isEqualTo("-9999999999999.99");
      assertThat(footers.column("instant").rangeExact()).isTrue();
      assertThat(footers.column("id").rangeExact()).isTrue();
      assertThat(footers.column("email").nullCount()).isEqualTo(42_857L + 1 + 142);
      assertThat(footers.column("name").rangeExact()).as("a truncated text bound").isFalse();
      assertThat(footers.column("score").rangeExact()).as("floating point").isFalse();
      assertThat(footers.column("info").nullCount()).as("not a primitive column").isNull();
    }
  }

  @Test
  void aFewValuesAreProfiledInOneQueryOverTheValues() {
    Schema two =
        new Schema(
            Types.NestedField.optional(1, "a", Types.LongType.get()),
            Types.NestedField.optional(2, "b", Types.StringType.get()));
    List<WrittenFile> oneRow = List.of(new WrittenFile(directory.resolve("a.parquet"), 1, 300));
    List<WrittenFile> atTheLimit =
        List.of(
            new WrittenFile(directory.resolve("a.parquet"), 2_000, 9_000),
            new WrittenFile(directory.resolve("b.parquet"), 3_000, 9_000));
    List<WrittenFile> overIt =
        List.of(
            new WrittenFile(directory.resolve("a.parquet"), 2_000, 9_000),
            new WrittenFile(directory.resolve("b.parquet"), 3_001, 9_000));

    assertThat(DataProfiler.readsFooters(two, oneRow)).isFalse();
    assertThat(DataProfiler.readsFooters(two, atTheLimit)).isFalse();
    assertThat(DataProfiler.readsFooters(two, overIt)).isTrue();
    assertThat(
            DataProfiler.readsFooters(
                SCHEMA, List.of(new WrittenFile(directory.resolve("c.parquet"), 300_000, 1))))
        .isTrue();
  }
}
