package dev.sluice.core.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statements of the state database, prepared, bound, run and read in one place, so that the
 * parts of a {@link RunStore} say only what they run (the SQL and its values) and how a row reads.
 *
 * <p>A value is bound by its type, the same way on SQLite and PostgreSQL: a {@link String} (or
 * {@code null}) as text, a {@link Long} as a BIGINT, an {@link Integer} as an INTEGER, a {@link
 * Double} as a DOUBLE PRECISION, an {@link Instant} as its epoch milliseconds, an enum constant by
 * its name. A missing number is bound as a typed null with {@link #nullableLong}, {@link
 * #nullableDouble} or {@link #nullableMillis}: PostgreSQL refuses a text null for a number column.
 */
final class StateSql {
  /** Reads one row of a result (the cursor stands on it). */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** A null BIGINT. */
  private enum NullBigint {
    VALUE
  }

  /** A null DOUBLE PRECISION. */
  private enum NullDouble {
    VALUE
  }

  private StateSql() {}

  /** The number, or a null BIGINT when it is null. */
  static Object nullableLong(Long value) {
    return value == null ? NullBigint.VALUE : value;
  }

  /** The number, or a null DOUBLE PRECISION when it is null. */
  static Object nullableDouble(Double value) {
    return value == null ? NullDouble.VALUE : value;
  }

  /** The time as epoch milliseconds, or a null BIGINT when it is null. */
  static Object nullableMillis(Instant value) {
    return value == null ? NullBigint.VALUE : value;
  }

  /**
   * Runs an INSERT, UPDATE or DELETE.
   *
   * @return how many rows it changed
   */
  static int update(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, values);
      return statement.executeUpdate();
    }
  }

  /** Runs one statement for each list of values, as one batch. Runs nothing for no values. */
  static void batch(Connection connection, String sql, List<Object[]> valuesOfEach)
      throws SQLException {
    if (valuesOfEach.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Object[] values : valuesOfEach) {
        bind(statement, values);
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /** Runs a query (or a statement {@code RETURNING} rows) and reads every row it returns. */
  static <T> List<T> list(Connection connection, String sql, Row<T> row, Object... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, values);
      try (ResultSet rows = statement.executeQuery()) {
        List<T> read = new ArrayList<>();
        while (rows.next()) {
          read.add(row.read(rows));
        }
        return read;
      }
    }
  }

  /**
   * Runs a query (or a statement {@code RETURNING} rows) and reads its first row.
   *
   * @return the row as read, or empty when there is none or it reads as null
   */
  static <T> Optional<T> first(Connection connection, String sql, Row<T> row, Object... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, values);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.ofNullable(row.read(rows)) : Optional.empty();
      }
    }
  }

  /** Binds the values to the statement's parameters, in order. */
  static void bind(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      int index = i + 1;
      Object value = values[i];
      if (value == null || value instanceof String) {
        statement.setString(index, (String) value);
      } else if (value instanceof Long number) {
        statement.setLong(index, number);
      } else if (value instanceof Integer number) {
        statement.setInt(index, number);
      } else if (value instanceof Instant time) {
        statement.setLong(index, time.toEpochMilli());
      } else if (value instanceof Double number) {
        statement.setDouble(index, number);
      } else if (value == NullBigint.VALUE) {
        statement.setNull(index, Types.BIGINT);
      } else if (value == NullDouble.VALUE) {
        statement.setNull(index, Types.DOUBLE);
      } else if (value instanceof Enum<?> constant) {
        statement.setString(index, constant.name());
      } else {
        throw new IllegalArgumentException(
            "Cannot bind a "
                + value.getClass().getName()
                + " to parameter "
                + index
                + " of a state database statement: give a String, Long, Integer, Double, Instant or enum");
      }
    }
  }
}
