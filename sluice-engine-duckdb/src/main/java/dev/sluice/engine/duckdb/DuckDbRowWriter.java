package dev.sluice.engine.duckdb;

import dev.sluice.api.DataException;
import dev.sluice.api.QueryException;
import dev.sluice.api.engine.EngineSession;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.duckdb.DuckDBAppender;

/** Appends rows to a DuckDB table with DuckDB's appender, which fills column vectors natively. */
final class DuckDbRowWriter implements EngineSession.RowWriter {
  private final String table;
  private final List<Types.NestedField> columns;
  private final DuckDBAppender appender;
  private long rows;
  private boolean failed;

  DuckDbRowWriter(String table, Schema schema, DuckDBAppender appender) {
    this.table = table;
    this.columns = schema.columns();
    this.appender = appender;
  }

  @Override
  public void append(Object... values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          "Row of " + values.length + " values for " + columns.size() + " columns of " + table);
    }
    int column = 0;
    try {
      appender.beginRow();
      for (; column < values.length; column++) {
        appendValue(columns.get(column).type(), values[column]);
      }
      appender.endRow();
      rows++;
    } catch (SQLException | RuntimeException e) {
      failed = true;
      Types.NestedField field = columns.get(Math.min(column, columns.size() - 1));
      throw new DataException(
          "Cannot write row "
              + (rows + 1)
              + " of "
              + table
              + ": value of column '"
              + field.name()
              + "' ("
              + field.type()
              + ") does not fit: "
              + e.getMessage(),
          e);
    }
  }

  private void appendValue(Type type, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
      return;
    }
    if (value instanceof Boolean b) {
      appender.append(b.booleanValue());
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      appendLong(type, ((Number) value).longValue());
    } else if (value instanceof Float f) {
      appender.append(f.floatValue());
    } else if (value instanceof Double d) {
      appender.append(d.doubleValue());
    } else if (value instanceof BigDecimal decimal) {
      appendDecimal(type, decimal);
    } else if (value instanceof String text) {
      appender.append(text);
    } else if (value instanceof LocalDate date) {
      appender.append(date);
    } else if (value instanceof LocalTime time) {
      appender.append(time);
    } else if (value instanceof LocalDateTime timestamp) {
      appender.append(timestamp);
    } else if (value instanceof OffsetDateTime timestamp) {
      appender.append(timestamp);
    } else if (value instanceof UUID uuid) {
      appender.append(uuid);
    } else if (value instanceof byte[] bytes) {
      appender.append(bytes);
    } else if (value instanceof List<?> list) {
      appender.append(list);
    } else {
      throw new IllegalArgumentException(
          "values of " + value.getClass().getName() + " cannot be written");
    }
  }

  private void appendLong(Type type, long value) throws SQLException {
    if (type.typeId() == Type.TypeID.INTEGER) {
      appender.append(Math.toIntExact(value));
    } else {
      appender.append(value);
    }
  }

  private void appendDecimal(Type type, BigDecimal value) throws SQLException {
    if (type instanceof Types.DecimalType decimal) {
      BigDecimal scaled = value.setScale(decimal.scale(), RoundingMode.HALF_EVEN);
      if (scaled.precision() > decimal.precision()) {
        throw new IllegalArgumentException(
            "it has more than " + (decimal.precision() - decimal.scale()) + " integer digits");
      }
      appender.append(scaled);
    } else if (type.typeId() == Type.TypeID.DOUBLE) {
      appender.append(value.doubleValue());
    } else {
      appender.append(value.toPlainString());
    }
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public void close() {
    try {
      if (!failed) {
        appender.flush();
      }
      appender.close();
    } catch (SQLException e) {
      throw new QueryException("Cannot write rows to " + table + ": " + e.getMessage(), e);
    }
  }
}
