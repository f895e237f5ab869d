package dev.sluice.connectors.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A column of a database result: its name, its type in the database, the Iceberg type it is stored
 * as and how its values are read. Dialects decide the mapping (see {@link PostgresDialect#columns}
 * and {@link MySqlDialect#columns}); reading is the same for every database.
 */
final class JdbcColumn {
  /** The decimal type of a number without (or with too large a) precision. */
  static final Types.DecimalType UNBOUNDED_NUMERIC = Types.DecimalType.of(38, 9);

  /** How a value is read from the driver and what Java value the engine's row writer gets. */
  enum Kind {
    INTEGER,
    LONG,
    FLOAT,
    DOUBLE,
    DECIMAL,
    BOOLEAN,
    DATE,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    /** A timestamp without zone that the session gives in UTC (MySQL's TIMESTAMP): an instant. */
    TIMESTAMP_UTC,
    UUID,
    BINARY,
    STRING
  }

  private final String name;
  private final String sourceType;
  private final Kind kind;
  private final Kind elementKind;
  private final Type type;

  private JdbcColumn(String name, String sourceType, Kind kind, Kind elementKind, Type type) {
    this.name = name;
    this.sourceType = sourceType;
    this.kind = kind;
    this.elementKind = elementKind;
    this.type = type;
  }

  /** A column of one value per row; {@code precision} and {@code scale} matter for decimals. */
  static JdbcColumn scalar(String name, String sourceType, Kind kind, int precision, int scale) {
    return new JdbcColumn(name, sourceType, kind, null, icebergType(kind, precision, scale));
  }

  /** A column of a given Iceberg type (e.g. decimal(20,0) for MySQL's bigint unsigned). */
  static JdbcColumn scalar(String name, String sourceType, Kind kind, Type type) {
    return new JdbcColumn(name, sourceType, kind, null, type);
  }

  /** A column of one-dimensional arrays read with {@link ResultSet#getArray}. */
  static JdbcColumn list(String name, String sourceType, Kind elementKind, int elementId) {
    Type elementType =
        elementKind == Kind.DECIMAL ? UNBOUNDED_NUMERIC : icebergType(elementKind, 0, 0);
    return new JdbcColumn(
        name, sourceType, null, elementKind, Types.ListType.ofOptional(elementId, elementType));
  }

  private static Type icebergType(Kind kind, int precision, int scale) {
    return switch (kind) {
      case INTEGER -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case DECIMAL ->
          precision > 0 && precision <= 38 && scale >= 0 && scale <= precision
              ? Types.DecimalType.of(precision, scale)
              : UNBOUNDED_NUMERIC;
      case BOOLEAN -> Types.BooleanType.get();
      case DATE -> Types.DateType.get();
      case TIME -> Types.TimeType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case TIMESTAMPTZ, TIMESTAMP_UTC -> Types.TimestampType.withZone();
      case UUID -> Types.UUIDType.get();
      case BINARY -> Types.BinaryType.get();
      case STRING -> Types.StringType.get();
    };
  }

  String name() {
    return name;
  }

  /** The database's type name, e.g. {@code timestamptz}, {@code _int4} or {@code INT UNSIGNED}. */
  String sourceType() {
    return sourceType;
  }

  Type type() {
    return type;
  }

  /** How values are read; null for a list column. */
  Kind kind() {
    return kind;
  }

  /** Whether values are dates or timestamps, which a lookback interval can be subtracted from. */
  boolean isTemporal() {
    return kind == Kind.DATE
        || kind == Kind.TIMESTAMP
        || kind == Kind.TIMESTAMPTZ
        || kind == Kind.TIMESTAMP_UTC;
  }

  /** Whether values are whole numbers, which key ranges can split on exactly. */
  boolean isIntegral() {
    return kind == Kind.INTEGER
        || kind == Kind.LONG
        || (kind == Kind.DECIMAL
            && type instanceof Types.DecimalType decimal
            && decimal.scale() == 0);
  }

  /** Whether values are numbers, which key ranges can split on. */
  boolean isNumeric() {
    return isIntegral() || kind == Kind.DECIMAL || kind == Kind.FLOAT || kind == Kind.DOUBLE;
  }

  /** Reads the column's value in the current row as a Java value for the engine's row writer. */
  Object read(ResultSet resultSet, int index) throws SQLException {
    if (kind == null) {
      Array array = resultSet.getArray(index);
      if (array == null) {
        return null;
      }
      try {
        Object[] elements = (Object[]) array.getArray();
        List<Object> list = new ArrayList<>(elements.length);
        for (Object element : elements) {
          list.add(element(element));
        }
        return list;
      } finally {
        array.free();
      }
    }
    Object value =
        switch (kind) {
          case INTEGER -> resultSet.getInt(index);
          case LONG -> resultSet.getLong(index);
          case FLOAT -> resultSet.getFloat(index);
          case DOUBLE -> resultSet.getDouble(index);
          case DECIMAL -> resultSet.getBigDecimal(index);
          case BOOLEAN -> resultSet.getBoolean(index);
          case DATE -> resultSet.getObject(index, LocalDate.class);
          case TIME -> resultSet.getObject(index, LocalTime.class);
          case TIMESTAMP -> resultSet.getObject(index, LocalDateTime.class);
          case TIMESTAMPTZ -> resultSet.getObject(index, OffsetDateTime.class);
          case TIMESTAMP_UTC -> {
            LocalDateTime local = resultSet.getObject(index, LocalDateTime.class);
            yield local == null ? null : local.atOffset(ZoneOffset.UTC);
          }
          case UUID -> resultSet.getObject(index, UUID.class);
          case BINARY -> resultSet.getBytes(index);
          case STRING -> resultSet.getString(index);
        };
    return resultSet.wasNull() ? null : value;
  }

  /** An array element as the driver gives it, converted like a column value of its kind. */
  private Object element(Object element) {
    if (element == null) {
      return null;
    }
    if (element instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (element instanceof Timestamp timestamp) {
      return elementKind == Kind.TIMESTAMPTZ
          ? timestamp.toInstant().atOffset(ZoneOffset.UTC)
          : timestamp.toLocalDateTime();
    }
    if (element instanceof java.sql.Time time) {
      return time.toLocalTime();
    }
    if (element instanceof Short s) {
      return s.intValue();
    }
    if (element instanceof BigDecimal || element instanceof String || element instanceof UUID) {
      return element;
    }
    if (element instanceof Object[]) {
      throw new IllegalArgumentException(
          "column '" + name + "' holds a multi-dimensional array, which Sluice cannot store");
    }
    return element;
  }
}
