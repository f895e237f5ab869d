package dev.sluice.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Reading and writing the values of the state database's rows: nullable numbers, times, JSON. */
final class StateRows {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private StateRows() {}

  /**
   * The enum constant a column holds (by its name), with an error naming the column and the allowed
   * values when the database holds something else.
   */
  static <E extends Enum<E>> E enumValue(ResultSet rows, String column, Class<E> type)
      throws SQLException {
    String value = rows.getString(column);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(value)) {
        return constant;
      }
    }
    throw new IllegalStateException(
        "The state database holds "
            + (value == null ? "no value" : "'" + value + "'")
            + " in the column "
            + column
            + ", which is not a "
            + type.getSimpleName()
            + " (expected one of "
            + java.util.Arrays.toString(type.getEnumConstants())
            + "): was it written by a newer Sluice?");
  }

  static Long longOrNull(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  static Double doubleOrNull(ResultSet rows, String column) throws SQLException {
    double value = rows.getDouble(column);
    return rows.wasNull() ? null : value;
  }

  static Instant instantOrNull(ResultSet rows, String column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static Instant instantOrNull(ResultSet rows, int column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static String toJson(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a list of strings as JSON", e);
    }
  }

  /** A JSON list of strings kept for a run (its selection, its plan). */
  static List<String> fromJson(String json, String what, String runId) throws SQLException {
    try {
      return JSON.readValue(json, STRING_LIST);
    } catch (JsonProcessingException e) {
      throw new SQLException(
          "The " + what + " of run " + runId + " is not a JSON list: " + json, e);
    }
  }
}
