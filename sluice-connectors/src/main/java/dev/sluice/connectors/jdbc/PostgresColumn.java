package dev.sluice.connectors.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A column of a PostgreSQL result: its name, its PostgreSQL type, the Iceberg type it is stored as
 * and how its values are read.
 *
 * <table>
 *   <caption>Type mapping</caption>
 *   <tr><th>PostgreSQL</th><th>Iceberg</th></tr>
 *   <tr><td>smallint, integer</td><td>int</td></tr>
 *   <tr><td>bigint, oid</td><td>long</td></tr>
 *   <tr><td>real / double precision</td><td>float / double</td></tr>
 *   <tr><td>numeric(p,s), p &le; 38</td><td>decimal(p,s)</td></tr>
 *   <tr><td>numeric without precision, or p &gt; 38</td><td>decimal(38,9), rounded</td></tr>
 *   <tr><td>boolean</td><td>boolean</td></tr>
 *   <tr><td>date, time</td><td>date, time</td></tr>
 *   <tr><td>timestamp / timestamptz</td><td>timestamp / timestamptz</td></tr>
 *   <tr><td>uuid</td><td>uuid</td></tr>
 *   <tr><td>bytea</td><td>binary</td></tr>
 *   <tr><td>one-dimensional arrays of the types above</td><td>list</td></tr>
 *   <tr><td>text, varchar, char, json, jsonb, xml, interval, timetz, inet, enums, others</td>
 *       <td>string (PostgreSQL's text form)</td></tr>
 * </table>
 */
final class PostgresColumn {
  /** The decimal type of a numeric without (or with too large a) precision. */
  static final Types.DecimalType UNBOUNDED_NUMERIC = Types.DecimalType.of(38, 9);

  private enum Kind {
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
    UUID,
    BINARY,
    STRING
  }

  private final String name;
  private final String postgresType;
  private final Kind kind;
  private final Kind elementKind;
  private final Type type;

  private PostgresColumn(String name, String postgresType, Kind kind, Kind elementKind, Type type) {
    this.name = name;
    this.postgresType = postgresType;
    this.kind = kind;
    this.elementKind = elementKind;
    this.type = type;
  }

  /** The columns of a result, with field ids (for list elements) from {@code ids}. */
  static List<PostgresColumn> of(ResultSetMetaData metadata, AtomicInteger ids)
      throws SQLException {
    List<PostgresColumn> columns = new ArrayList<>();
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      String typeName = metadata.getColumnTypeName(i).toLowerCase(Locale.ROOT);
      String name = metadata.getColumnLabel(i);
      if (typeName.startsWith("_")) {
        Kind element = kind(typeName.substring(1));
        if (element == Kind.STRING && !isText(typeName.substring(1))) {
          // arrays of types kept as text (json, intervals, ...) are kept as text as a whole
          columns.add(
              new PostgresColumn(name, typeName, Kind.STRING, null, Types.StringType.get()));
        } else {
          Type elementType =
              element == Kind.DECIMAL ? UNBOUNDED_NUMERIC : icebergType(element, 0, 0);
          columns.add(
              new PostgresColumn(
                  name,
                  typeName,
                  null,
                  element,
                  Types.ListType.ofOptional(ids.incrementAndGet(), elementType)));
        }
      } else {
        Kind kind = kind(typeName);
        columns.add(
            new PostgresColumn(
                name,
                typeName,
                kind,
                null,
                icebergType(kind, metadata.getPrecision(i), metadata.getScale(i))));
      }
    }
    return columns;
  }

  private static boolean isText(String typeName) {
    return switch (typeName) {
      case "text", "varchar", "bpchar", "name", "citext" -> true;
      default -> false;
    };
  }

  private static Kind kind(String typeName) {
    return switch (typeName) {
      case "int2", "int4" -> Kind.INTEGER;
      case "int8", "oid" -> Kind.LONG;
      case "float4" -> Kind.FLOAT;
      case "float8" -> Kind.DOUBLE;
      case "numeric" -> Kind.DECIMAL;
      case "bool" -> Kind.BOOLEAN;
      case "date" -> Kind.DATE;
      case "time" -> Kind.TIME;
      case "timestamp" -> Kind.TIMESTAMP;
      case "timestamptz" -> Kind.TIMESTAMPTZ;
      case "uuid" -> Kind.UUID;
      case "bytea" -> Kind.BINARY;
      default -> Kind.STRING;
    };
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
      case TIMESTAMPTZ -> Types.TimestampType.withZone();
      case UUID -> Types.UUIDType.get();
      case BINARY -> Types.BinaryType.get();
      case STRING -> Types.StringType.get();
    };
  }

  String name() {
    return name;
  }

  /** The PostgreSQL type name, e.g. {@code timestamptz} or {@code _int4}. */
  String postgresType() {
    return postgresType;
  }

  Type type() {
    return type;
  }

  /** Whether values are dates or timestamps, which a lookback interval can be subtracted from. */
  boolean isTemporal() {
    return kind == Kind.DATE || kind == Kind.TIMESTAMP || kind == Kind.TIMESTAMPTZ;
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
