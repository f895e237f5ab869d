package dev.sluice.connectors.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes a decoded Avro datum as JSON text in the form the load's SQL converts exactly to the
 * column types {@link AvroColumns} derives: decimals as strings of their exact value (a JSON number
 * would pass through a double), dates, times and timestamps as ISO-8601 strings (timestamps in UTC
 * with a {@code Z}), bytes and fixed as base64, enums as their symbol, maps as objects.
 */
final class AvroJson {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private AvroJson() {}

  /**
   * The JSON text of a datum.
   *
   * @param separator with {@code nested: flatten}, the separator of flattened names (the fields of
   *     a record's record fields become top-level fields, as {@link AvroColumns} names them); null
   *     to keep nested objects
   */
  static String write(Object datum, Schema schema, String separator) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(text)) {
      if (separator != null && schema.getType() == Schema.Type.RECORD) {
        Set<String> path = new HashSet<>();
        path.add(schema.getFullName());
        generator.writeStartObject();
        writeFlattened(generator, (IndexedRecord) datum, schema, "", separator, path);
        generator.writeEndObject();
      } else {
        write(generator, datum, schema);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static void writeFlattened(
      JsonGenerator out,
      IndexedRecord record,
      Schema schema,
      String prefix,
      String separator,
      Set<String> path)
      throws IOException {
    for (Schema.Field field : schema.getFields()) {
      Object value = record.get(field.pos());
      String name = prefix + field.name();
      Schema nested = AvroColumns.flattenedRecord(field.schema(), path);
      if (nested == null) {
        out.writeFieldName(name);
        write(out, value, field.schema());
      } else if (value != null) {
        path.add(nested.getFullName());
        writeFlattened(out, (IndexedRecord) value, nested, name + separator, separator, path);
        path.remove(nested.getFullName());
      }
    }
  }

  private static void write(JsonGenerator out, Object datum, Schema schema) throws IOException {
    if (datum == null) {
      out.writeNull();
      return;
    }
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case UNION -> {
        int branch = GenericData.get().resolveUnion(schema, datum);
        write(out, datum, schema.getTypes().get(branch));
      }
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) datum;
        out.writeStartObject();
        for (Schema.Field field : schema.getFields()) {
          out.writeFieldName(field.name());
          write(out, record.get(field.pos()), field.schema());
        }
        out.writeEndObject();
      }
      case ARRAY -> {
        out.writeStartArray();
        for (Object element : (Collection<?>) datum) {
          write(out, element, schema.getElementType());
        }
        out.writeEndArray();
      }
      case MAP -> {
        out.writeStartObject();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          out.writeFieldName(entry.getKey().toString());
          write(out, entry.getValue(), schema.getValueType());
        }
        out.writeEndObject();
      }
      case ENUM, STRING -> out.writeString(datum.toString());
      case BYTES -> {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        writeBytes(out, bytes, logical);
      }
      case FIXED -> writeBytes(out, ((GenericFixed) datum).bytes(), logical);
      case INT -> {
        int value = (Integer) datum;
        if (logical instanceof LogicalTypes.Date) {
          out.writeString(LocalDate.ofEpochDay(value).toString());
        } else if (logical instanceof LogicalTypes.TimeMillis) {
          out.writeString(LocalTime.ofNanoOfDay(value * 1_000_000L).toString());
        } else {
          out.writeNumber(value);
        }
      }
      case LONG -> writeLong(out, (Long) datum, logical);
      case FLOAT -> {
        float value = (Float) datum;
        if (Float.isFinite(value)) {
          out.writeNumber(value);
        } else {
          out.writeString(Float.toString(value));
        }
      }
      case DOUBLE -> {
        double value = (Double) datum;
        if (Double.isFinite(value)) {
          out.writeNumber(value);
        } else {
          out.writeString(Double.toString(value));
        }
      }
      case BOOLEAN -> out.writeBoolean((Boolean) datum);
      case NULL -> out.writeNull();
    }
  }

  private static void writeLong(JsonGenerator out, long value, LogicalType logical)
      throws IOException {
    if (logical instanceof LogicalTypes.TimestampMillis) {
      out.writeString(Instant.ofEpochMilli(value).toString());
    } else if (logical instanceof LogicalTypes.TimestampMicros) {
      out.writeString(micros(value).toString());
    } else if (logical instanceof LogicalTypes.TimestampNanos) {
      out.writeString(nanos(value).toString());
    } else if (logical instanceof LogicalTypes.LocalTimestampMillis) {
      out.writeString(
          LocalDateTime.ofInstant(Instant.ofEpochMilli(value), ZoneOffset.UTC).toString());
    } else if (logical instanceof LogicalTypes.LocalTimestampMicros) {
      out.writeString(LocalDateTime.ofInstant(micros(value), ZoneOffset.UTC).toString());
    } else if (logical instanceof LogicalTypes.LocalTimestampNanos) {
      out.writeString(LocalDateTime.ofInstant(nanos(value), ZoneOffset.UTC).toString());
    } else if (logical instanceof LogicalTypes.TimeMicros) {
      out.writeString(LocalTime.ofNanoOfDay(value * 1_000L).toString());
    } else {
      out.writeNumber(value);
    }
  }

  private static Instant micros(long value) {
    return Instant.ofEpochSecond(
        Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
  }

  private static Instant nanos(long value) {
    return Instant.ofEpochSecond(
        Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
  }

  private static void writeBytes(JsonGenerator out, byte[] bytes, LogicalType logical)
      throws IOException {
    if (logical instanceof LogicalTypes.Decimal decimal) {
      out.writeString(new BigDecimal(new BigInteger(bytes), decimal.getScale()).toPlainString());
    } else {
      out.writeString(Base64.getEncoder().encodeToString(bytes));
    }
  }
}
