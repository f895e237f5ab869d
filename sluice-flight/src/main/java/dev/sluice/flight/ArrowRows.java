package dev.sluice.flight;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Rows of the query service as Arrow, and Arrow parameter values as Java: DuckDB's type names
 * mapped to Arrow types, values written into and read from vectors. A type without an Arrow
 * counterpart here (lists, structs, maps, intervals, enums, JSON, UUID) is sent as text, as the
 * HTTP API sends it.
 */
final class ArrowRows {
  private ArrowRows() {}

  /** The Arrow schema of columns with these engine type names; every column is nullable. */
  static Schema schema(List<String> columns, List<String> types) {
    List<Field> fields = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      fields.add(new Field(columns.get(i), FieldType.nullable(type(types.get(i))), null));
    }
    return new Schema(fields);
  }

  /** The Arrow type of a DuckDB type name, e.g. {@code DECIMAL(18,3)}. */
  static ArrowType type(String engineType) {
    String name = engineType.strip().toUpperCase(Locale.ROOT);
    if (name.startsWith("DECIMAL(") && name.endsWith(")")) {
      String[] precisionAndScale = name.substring(8, name.length() - 1).split(",", -1);
      if (precisionAndScale.length == 2) {
        try {
          return new ArrowType.Decimal(
              Integer.parseInt(precisionAndScale[0].strip()),
              Integer.parseInt(precisionAndScale[1].strip()),
              128);
        } catch (NumberFormatException e) {
          return ArrowType.Utf8.INSTANCE;
        }
      }
    }
    return switch (name) {
      case "BOOLEAN" -> ArrowType.Bool.INSTANCE;
      case "TINYINT" -> new ArrowType.Int(8, true);
      case "SMALLINT", "UTINYINT" -> new ArrowType.Int(16, true);
      case "INTEGER", "USMALLINT" -> new ArrowType.Int(32, true);
      case "BIGINT", "UINTEGER" -> new ArrowType.Int(64, true);
      case "UBIGINT", "HUGEINT", "UHUGEINT" -> new ArrowType.Decimal(38, 0, 128);
      case "FLOAT" -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case "DOUBLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case "BLOB" -> ArrowType.Binary.INSTANCE;
      case "DATE" -> new ArrowType.Date(DateUnit.DAY);
      case "TIME" -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" ->
          new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case "TIMESTAMP WITH TIME ZONE" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  /**
   * Writes rows {@code from} (inclusive) to {@code to} (exclusive) into {@code root}, whose vectors
   * were made from {@link #schema}, and sets its row count.
   */
  static void fill(VectorSchemaRoot root, List<List<Object>> rows, int from, int to) {
    root.allocateNew();
    List<FieldVector> vectors = root.getFieldVectors();
    for (int row = from; row < to; row++) {
      List<Object> values = rows.get(row);
      for (int column = 0; column < vectors.size(); column++) {
        set(vectors.get(column), row - from, values.get(column));
      }
    }
    root.setRowCount(to - from);
  }

  private static void set(FieldVector vector, int index, Object value) {
    if (value == null) {
      vector.setNull(index);
    } else if (vector instanceof BitVector bits) {
      bits.setSafe(index, Boolean.TRUE.equals(value) ? 1 : 0);
    } else if (vector instanceof TinyIntVector tiny) {
      tiny.setSafe(index, ((Number) value).byteValue());
    } else if (vector instanceof SmallIntVector small) {
      small.setSafe(index, ((Number) value).shortValue());
    } else if (vector instanceof IntVector ints) {
      ints.setSafe(index, ((Number) value).intValue());
    } else if (vector instanceof BigIntVector longs) {
      longs.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof Float4Vector floats) {
      floats.setSafe(index, ((Number) value).floatValue());
    } else if (vector instanceof Float8Vector doubles) {
      doubles.setSafe(index, ((Number) value).doubleValue());
    } else if (vector instanceof DecimalVector decimals) {
      BigDecimal decimal =
          value instanceof BigDecimal exact
              ? exact
              : value instanceof BigInteger integer
                  ? new BigDecimal(integer)
                  : new BigDecimal(value.toString());
      decimals.setSafe(index, decimal.setScale(decimals.getScale(), RoundingMode.UNNECESSARY));
    } else if (vector instanceof VarBinaryVector binary) {
      binary.setSafe(
          index,
          value instanceof byte[] bytes
              ? bytes
              : value.toString().getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof DateDayVector days) {
      days.setSafe(index, (int) localDate(value).toEpochDay());
    } else if (vector instanceof TimeMicroVector times) {
      times.setSafe(index, localTime(value).toNanoOfDay() / 1_000);
    } else if (vector instanceof TimeStampMicroTZVector instants) {
      instants.setSafe(index, micros(instant(value)));
    } else if (vector instanceof TimeStampMicroVector timestamps) {
      timestamps.setSafe(index, micros(localDateTime(value).toInstant(ZoneOffset.UTC)));
    } else if (vector instanceof VarCharVector text) {
      text.setSafe(index, value.toString().getBytes(StandardCharsets.UTF_8));
    } else {
      throw new IllegalStateException("No Arrow writer for " + vector.getClass().getSimpleName());
    }
  }

  /** The value of one parameter, as Java, for the engine to bind. */
  static Object parameter(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    Object value = vector.getObject(index);
    if (value instanceof Text text) {
      return text.toString();
    }
    if (vector instanceof DateDayVector) {
      return LocalDate.ofEpochDay(((Number) value).longValue());
    }
    if (vector instanceof DateMilliVector) {
      return ((LocalDateTime) value).toLocalDate();
    }
    if (vector instanceof TimeStampVector && value instanceof Long micros) {
      // a vector with a time zone gives its raw value: Arrow's JDBC driver sends microseconds
      return LocalDateTime.ofEpochSecond(
          Math.floorDiv(micros, 1_000_000L),
          (int) Math.floorMod(micros, 1_000_000L) * 1_000,
          ZoneOffset.UTC);
    }
    return value;
  }

  private static LocalDate localDate(Object value) {
    if (value instanceof LocalDate date) {
      return date;
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (value instanceof LocalDateTime dateTime) {
      return dateTime.toLocalDate();
    }
    return LocalDate.parse(value.toString());
  }

  private static LocalTime localTime(Object value) {
    if (value instanceof LocalTime time) {
      return time;
    }
    if (value instanceof java.sql.Time time) {
      return time.toLocalTime();
    }
    return LocalTime.parse(value.toString());
  }

  private static LocalDateTime localDateTime(Object value) {
    if (value instanceof LocalDateTime dateTime) {
      return dateTime;
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime();
    }
    if (value instanceof LocalDate date) {
      return date.atStartOfDay();
    }
    return LocalDateTime.parse(value.toString().replace(' ', 'T'));
  }

  private static Instant instant(Object value) {
    if (value instanceof OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (value instanceof ZonedDateTime zoned) {
      return zoned.toInstant();
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    return OffsetDateTime.parse(value.toString()).toInstant();
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
