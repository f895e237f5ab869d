package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.FooterStatistics;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.core.state.ColumnProfile;
import dev.sluice.core.state.TableProfile;
import dev.sluice.governance.ColumnClassification;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Profiles the data a step wrote: the row count and, per column, the null fraction, an approximate
 * distinct count ({@code approx_count_distinct}, HyperLogLog), the minimum and maximum, the mean of
 * a number and the length of a text. The row count, the null counts and the minimum and maximum
 * where they are exact there come from the Parquet footers of the files just written (see {@link
 * EngineSession#footerStatistics}); the rest from one aggregate query, run by the engine over those
 * files (never a second scan of the whole table), computing only what the footers do not give (the
 * query was 20-25 % of a load's time when it computed everything, docs/benchmarks.md). The minimum
 * and maximum of a classified column (any classification tag, declared or inherited: {@code pii},
 * ...) are neither computed nor kept, as they are raw values.
 */
final class DataProfiler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DataProfiler.class);

  /** The zone the written files are read under while they are profiled. */
  static final String PROFILE_ZONE = "sluice_profile";

  private final ColumnClassification classification;

  DataProfiler(ColumnClassification classification) {
    this.classification = requireNonNull(classification, "classification is null");
  }

  /**
   * Profiles the rows of {@code files}, written to {@code table} with {@code schema}.
   *
   * @param partition the partition the files hold, or null for a table that is not partitioned
   */
  TableProfile profile(
      EngineSession session,
      TableName table,
      String partition,
      Schema schema,
      List<WrittenFile> files) {
    return profile(session, table, partition, schema, files, readsFooters(schema, files));
  }

  /**
   * Values (rows × columns) up to which the profile is one query over the values rather than a
   * query over the footers and one over the values: reading a footer is a DuckDB statement of its
   * own (about 1.5 ms, more than the aggregates it saves on a few thousand values), which was a
   * sixth of a no-op table step's sampled time (docs/benchmarks.md).
   */
  static final long VALUES_WITHOUT_FOOTERS = 10_000;

  /**
   * Whether the profile of {@code files} reads their footers first: only when they hold more than
   * {@link #VALUES_WITHOUT_FOOTERS} values, for which the aggregates the footers replace cost more
   * than reading them.
   */
  static boolean readsFooters(Schema schema, List<WrittenFile> files) {
    long rows = files.stream().mapToLong(WrittenFile::rowCount).sum();
    return rows * Math.max(1, schema.columns().size()) > VALUES_WITHOUT_FOOTERS;
  }

  /**
   * As {@link #profile(EngineSession, TableName, String, Schema, List)}; {@code fromFooters} false
   * computes every figure from the values, as the profile of a few values does (and as the test
   * that both agree compares).
   */
  TableProfile profile(
      EngineSession session,
      TableName table,
      String partition,
      Schema schema,
      List<WrittenFile> files,
      boolean fromFooters) {
    long bytes = files.stream().mapToLong(WrittenFile::sizeInBytes).sum();
    List<String> withRows =
        files.stream().filter(file -> file.rowCount() > 0).map(WrittenFile::location).toList();
    List<Types.NestedField> columns = schema.columns();
    if (withRows.isEmpty()) {
      List<ColumnProfile> empty = new ArrayList<>();
      for (Types.NestedField column : columns) {
        empty.add(
            new ColumnProfile(
                column.name(),
                column.type().toString(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
      }
      return new TableProfile(table.toString(), partition, 0, bytes, files.size(), empty);
    }
    TableName scanned = new TableName(PROFILE_ZONE, table.zone() + "__" + table.name());
    // the files were written with the schema's names and types: read them by name, in the query
    // itself where the engine can (no view statement: a sixth of a no-op step's DuckDB statements)
    String read = session.readFiles(scanned, schema, withRows, ColumnMapping.NAME);
    FooterStatistics footer = fromFooters ? footers(session, table, schema, withRows) : null;
    StringJoiner select = new StringJoiner(", ");
    int next = 0;
    if (footer == null) {
      select.add("count(*)");
      next = 1;
    }
    List<Measures> measures = new ArrayList<>();
    for (Types.NestedField column : columns) {
      Measures measure =
          Measures.of(
              column,
              classified(table, column.name()),
              footer == null ? null : footer.column(column.name()),
              next);
      measure.aggregates().forEach(select::add);
      next += measure.aggregates().size();
      measures.add(measure);
    }
    List<Object> row =
        next == 0
            ? List.of()
            : session.query("SELECT " + select + " FROM " + read, 1).rows().get(0);
    long counted = footer == null ? ((Number) row.get(0)).longValue() : footer.rowCount();
    List<ColumnProfile> profiles = new ArrayList<>();
    for (Measures measure : measures) {
      profiles.add(measure.read(row, counted));
    }
    return new TableProfile(table.toString(), partition, counted, bytes, files.size(), profiles);
  }

  /** What the files' footers say, or null when the engine cannot read them. */
  private static FooterStatistics footers(
      EngineSession session, TableName table, Schema schema, List<String> files) {
    try {
      return session.footerStatistics(schema, files).orElse(null);
    } catch (RuntimeException e) {
      // the profile is then computed from the values alone, as exact as from the footers
      LOG.warn("Cannot read the Parquet footers of {}'s new files; profiling the values", table, e);
      return null;
    }
  }

  private boolean classified(TableName table, String column) {
    try {
      return !classification.tags(table, column).isEmpty();
    } catch (RuntimeException e) {
      // the tags come from the project's column lineage: when it cannot be derived, keep no value
      LOG.warn(
          "Cannot tell whether {}.{} is classified; its minimum and maximum are not kept",
          table,
          column,
          e);
      return true;
    }
  }

  /**
   * The aggregates one column is measured by, from {@code first} on in the query's row: non-null
   * count, then (when they apply) distinct estimate, minimum and maximum, mean, length statistics.
   */
  private record Measures(
      Types.NestedField column,
      List<String> aggregates,
      FooterStatistics.Column footer,
      boolean distinct,
      boolean range,
      boolean mean,
      boolean length,
      int first) {
    /**
     * @param footer what the footers say of the column, or null when they were not read: a figure
     *     they give exactly is not computed again
     */
    static Measures of(
        Types.NestedField column, boolean classified, FooterStatistics.Column footer, int first) {
      Type type = column.type();
      String quoted = TableName.quote(column.name());
      boolean primitive =
          type.isPrimitiveType()
              && type.typeId() != Type.TypeID.BINARY
              && type.typeId() != Type.TypeID.FIXED;
      boolean numeric =
          switch (type.typeId()) {
            case INTEGER, LONG, FLOAT, DOUBLE, DECIMAL -> true;
            default -> false;
          };
      boolean text = type.typeId() == Type.TypeID.STRING;
      boolean range = primitive && !classified;
      List<String> aggregates = new ArrayList<>();
      if (footer == null || footer.nullCount() == null) {
        aggregates.add("count(" + quoted + ")");
      }
      if (primitive) {
        aggregates.add("approx_count_distinct(" + quoted + ")");
      }
      if (range && (footer == null || !footer.rangeExact())) {
        aggregates.add("CAST(min(" + quoted + ") AS STRING)");
        aggregates.add("CAST(max(" + quoted + ") AS STRING)");
      }
      if (numeric) {
        aggregates.add("CAST(avg(" + quoted + ") AS DOUBLE)");
      }
      if (text) {
        aggregates.add("min(length(" + quoted + "))");
        aggregates.add("max(length(" + quoted + "))");
        aggregates.add("CAST(avg(length(" + quoted + ")) AS DOUBLE)");
      }
      return new Measures(
          column, List.copyOf(aggregates), footer, primitive, range, numeric, text, first);
    }

    ColumnProfile read(List<Object> row, long rows) {
      int index = first;
      long nonNull =
          footer != null && footer.nullCount() != null
              ? rows - footer.nullCount()
              : number(row.get(index++)).longValue();
      Long distinct = null;
      String min = null;
      String max = null;
      Double average = null;
      Long minLength = null;
      Long maxLength = null;
      Double meanLength = null;
      if (this.distinct) {
        distinct = number(row.get(index++)).longValue();
      }
      if (range && footer != null && footer.rangeExact()) {
        min = footer.min();
        max = footer.max();
      } else if (range) {
        min = text(row.get(index++));
        max = text(row.get(index++));
      }
      if (mean) {
        average = doubleOrNull(row.get(index++));
      }
      if (length) {
        minLength = longOrNull(row.get(index++));
        maxLength = longOrNull(row.get(index++));
        meanLength = doubleOrNull(row.get(index));
      }
      return new ColumnProfile(
          column.name(),
          column.type().toString(),
          rows == 0 ? null : (double) (rows - nonNull) / rows,
          distinct,
          min,
          max,
          average,
          minLength,
          maxLength,
          meanLength);
    }

    private static Number number(Object value) {
      return value == null ? 0L : (Number) value;
    }

    private static Long longOrNull(Object value) {
      return value == null ? null : ((Number) value).longValue();
    }

    private static Double doubleOrNull(Object value) {
      return value == null ? null : ((Number) value).doubleValue();
    }

    private static String text(Object value) {
      return value == null ? null : value.toString();
    }
  }
}
