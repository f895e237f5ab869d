package dev.sluice.connectors.cdc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.kafka.connect.data.Schema;

/**
 * Converts the values of Debezium's change records into the Java values the engine's row writer
 * takes for the Iceberg type the postgres connector gives the column, so that both connectors store
 * a column alike. The engine runs with {@code decimal.handling.mode=string}, {@code
 * time.precision.mode=adaptive_time_microseconds}, {@code binary.handling.mode=bytes} and {@code
 * interval.handling.mode=string}; the units of temporal values follow the field's semantic type.
 */
final class ChangeValues {
  /**
   * What Debezium sends for a value PostgreSQL left out of the WAL: unchanged and stored out of
   * line (TOAST), in an update of a table without {@code REPLICA IDENTITY FULL}.
   */
  static final String UNAVAILABLE = "__debezium_unavailable_value";

  private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);

  private ChangeValues() {}

  /**
   * The value for a column of Iceberg type {@code type}.
   *
   * @param schema the Connect schema of the value, for its semantic type (e.g. {@code
   *     io.debezium.time.MicroTimestamp})
   * @throws IllegalArgumentException for a value that the type cannot hold (e.g. numeric NaN)
   */
  static Object convert(Object value, Schema schema, Type type) {
    if (value == null) {
      return null;
    }
    if (UNAVAILABLE.equals(value)
        || (value instanceof byte[] bytes && Arrays.equals(bytes, UNAVAILABLE_BYTES))
        || (value instanceof ByteBuffer buffer
            && Arrays.equals(bytes(buffer), UNAVAILABLE_BYTES))) {
      throw new IllegalArgumentException(
          "PostgreSQL did not send its value, since it was unchanged and is stored out of line"
              + " (TOAST); run ALTER TABLE ... REPLICA IDENTITY FULL on the table, then load it"
              + " again with sluice run --full-refresh");
    }
    String semantic = schema == null || schema.name() == null ? "" : schema.name();
    return switch (type.typeId()) {
      case INTEGER -> ((Number) value).intValue();
      case LONG -> ((Number) value).longValue();
      case FLOAT -> ((Number) value).floatValue();
      case DOUBLE -> ((Number) value).doubleValue();
      case DECIMAL -> decimal(value, (Types.DecimalType) type);
      case BOOLEAN -> (Boolean) value;
      case DATE -> LocalDate.ofEpochDay(((Number) value).longValue());
      case TIME -> time(((Number) value).longValue(), semantic);
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC()
              ? OffsetDateTime.parse(value.toString()).withOffsetSameInstant(ZoneOffset.UTC)
              : LocalDateTime.ofInstant(
                  instant(((Number) value).longValue(), semantic), ZoneOffset.UTC);
      case UUID -> UUID.fromString(value.toString());
      case BINARY -> bytes(value);
      case LIST -> list(value, schema, type.asListType().elementType());
      default ->
          value instanceof ByteBuffer || value instanceof byte[] ? text(value) : value.toString();
    };
  }

  private static BigDecimal decimal(Object value, Types.DecimalType type) {
    BigDecimal decimal;
    try {
      decimal = value instanceof BigDecimal big ? big : new BigDecimal(value.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "value '"
              + value
              + "' does not fit decimal("
              + type.precision()
              + ","
              + type.scale()
              + ")",
          e);
    }
    return decimal.setScale(type.scale(), RoundingMode.HALF_UP);
  }

  private static LocalTime time(long value, String semantic) {
    long nanos =
        switch (semantic) {
          case "io.debezium.time.Time" -> value * 1_000_000L;
          case "io.debezium.time.NanoTime" -> value;
          default -> value * 1_000L;
        };
    return LocalTime.ofNanoOfDay(nanos);
  }

  private static Instant instant(long value, String semantic) {
    return switch (semantic) {
      case "io.debezium.time.Timestamp" -> Instant.ofEpochMilli(value);
      case "io.debezium.time.NanoTimestamp" ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
      default ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
    };
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static String text(Object value) {
    return new String(bytes(value), StandardCharsets.UTF_8);
  }

  private static List<Object> list(Object value, Schema schema, Type elementType) {
    Schema elementSchema = schema == null ? null : schema.valueSchema();
    List<?> elements = (List<?>) value;
    List<Object> converted = new ArrayList<>(elements.size());
    for (Object element : elements) {
      converted.add(convert(element, elementSchema, elementType));
    }
    return converted;
  }
}
