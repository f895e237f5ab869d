package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Checks JSON values against column types and converts them to the form DuckDB's JSON reader loads
 * exactly: a value that does not fit its type (a word in a number column, a fraction in a
 * whole-number column, an object in a list column) is a {@link Mismatch} naming the value and the
 * type, never silently rounded or turned into NULL. Numbers may also come as strings ({@code
 * "12.50"}), as many APIs send them; any value fits a string column (objects and arrays as JSON
 * text).
 */
final class JsonValues {
  private static final JsonNodeFactory NODES = new JsonNodeFactory(true);
  private static final DateTimeFormatter TIMESTAMP_WITH_ZONE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx", Locale.ROOT);
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

  private JsonValues() {}

  /** A value that does not fit its type; the message says which value and why. */
  static final class Mismatch extends Exception {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message, null, false, false);
    }
  }

  /** Whether a type can be loaded from JSON; else a reason. */
  static String unsupported(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN, INTEGER, LONG, FLOAT, DOUBLE, DECIMAL, STRING, DATE, TIME, TIMESTAMP, UUID ->
          null;
      case LIST -> unsupported(type.asListType().elementType());
      case STRUCT -> {
        for (Types.NestedField field : type.asStructType().fields()) {
          String problem = unsupported(field.type());
          if (problem != null) {
            yield problem;
          }
        }
        yield null;
      }
      default -> type + " columns cannot be loaded from JSON; declare them as string";
    };
  }

  /**
   * The value converted for its type.
   *
   * @throws Mismatch when it does not fit
   */
  // every case returns or throws, several through try/catch: arrows would only add braces
  @SuppressWarnings("StatementSwitchToExpressionSwitch")
  static JsonNode convert(JsonNode value, Type type) throws Mismatch {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NODES.nullNode();
    }
    switch (type.typeId()) {
      case STRING:
        return value.isTextual() ? value : NODES.textNode(value.toString());
      case BOOLEAN:
        if (value.isBoolean()) {
          return value;
        }
        if (value.isTextual()
            && (value.asText().equalsIgnoreCase("true")
                || value.asText().equalsIgnoreCase("false"))) {
          return NODES.booleanNode(Boolean.parseBoolean(value.asText()));
        }
        throw mismatch(value, type);
      case INTEGER:
      case LONG:
        {
          BigDecimal number = number(value, type);
          try {
            long whole = number.longValueExact();
            if (type.typeId() == Type.TypeID.INTEGER && (int) whole != whole) {
              throw mismatch(value, type);
            }
            return NODES.numberNode(whole);
          } catch (ArithmeticException e) {
            throw mismatch(value, type);
          }
        }
      case FLOAT:
      case DOUBLE:
        return NODES.numberNode(number(value, type).doubleValue());
      case DECIMAL:
        {
          Types.DecimalType decimal = (Types.DecimalType) type;
          BigDecimal scaled = number(value, type).setScale(decimal.scale(), RoundingMode.HALF_EVEN);
          if (scaled.precision() > decimal.precision()) {
            throw new Mismatch(
                shown(value)
                    + " has more than "
                    + (decimal.precision() - decimal.scale())
                    + " integer digits for "
                    + DuckDbTypes.toDuckDb(type));
          }
          return NODES.numberNode(scaled);
        }
      case DATE:
        return parsedText(value, type, JsonValues::date);
      case TIME:
        return parsedText(value, type, LocalTime::parse);
      case TIMESTAMP:
        {
          if (value.isTextual()) {
            boolean withZone = ((Types.TimestampType) type).shouldAdjustToUTC();
            OffsetDateTime zoned = timestampWithZone(value.asText());
            LocalDateTime local = zoned == null ? timestamp(value.asText()) : null;
            if (zoned == null && local != null) {
              zoned = local.atOffset(ZoneOffset.UTC);
            }
            if (zoned != null) {
              return NODES.textNode(
                  withZone
                      ? TIMESTAMP_WITH_ZONE.format(zoned)
                      : TIMESTAMP.format(
                          local != null
                              ? local
                              : zoned.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()));
            }
          }
          throw mismatch(value, type);
        }
      case UUID:
        return parsedText(value, type, UUID::fromString);
      case LIST:
        {
          if (!value.isArray()) {
            throw mismatch(value, type);
          }
          ArrayNode list = NODES.arrayNode(value.size());
          Type element = type.asListType().elementType();
          for (int i = 0; i < value.size(); i++) {
            try {
              list.add(convert(value.get(i), element));
            } catch (Mismatch e) {
              throw new Mismatch("element " + (i + 1) + ": " + e.getMessage());
            }
          }
          return list;
        }
      case STRUCT:
        {
          if (!value.isObject()) {
            throw mismatch(value, type);
          }
          ObjectNode struct = NODES.objectNode();
          for (Types.NestedField field : type.asStructType().fields()) {
            try {
              struct.set(field.name(), convert(value.get(field.name()), field.type()));
            } catch (Mismatch e) {
              throw new Mismatch("field \"" + field.name() + "\": " + e.getMessage());
            }
          }
          return struct;
        }
      default:
        throw new Mismatch(type + " values cannot be loaded from JSON");
    }
  }

  private static BigDecimal number(JsonNode value, Type type) throws Mismatch {
    if (value.isNumber()) {
      return value.decimalValue();
    }
    if (value.isTextual()) {
      try {
        return new BigDecimal(value.asText().strip());
      } catch (NumberFormatException e) {
        throw mismatch(value, type);
      }
    }
    throw mismatch(value, type);
  }

  private static Mismatch mismatch(JsonNode value, Type type) {
    return new Mismatch(shown(value) + " is not a valid " + DuckDbTypes.toDuckDb(type));
  }

  /** A value as shown in a reason: its JSON text, shortened. */
  private static String shown(JsonNode value) {
    String text = value.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** An ISO date ({@code 2024-01-31}), or null. */
  static LocalDate date(String text) {
    return text.length() == 10 ? parsedOrNull(text, LocalDate::parse) : null;
  }

  /** An ISO timestamp with offset ({@code 2024-01-31T10:00:00Z}), or null. */
  static OffsetDateTime timestampWithZone(String text) {
    return mayBeTimestamp(text)
        ? parsedOrNull(text.replace(' ', 'T'), OffsetDateTime::parse)
        : null;
  }

  /** An ISO timestamp without offset ({@code 2024-01-31T10:00:00}), or null. */
  static LocalDateTime timestamp(String text) {
    return mayBeTimestamp(text) ? parsedOrNull(text.replace(' ', 'T'), LocalDateTime::parse) : null;
  }

  /** Whether {@code text} may be an ISO timestamp: a cheap test before parsing it. */
  private static boolean mayBeTimestamp(String text) {
    return text.length() >= 16 && text.length() <= 40 && Character.isDigit(text.charAt(0));
  }

  /**
   * A text value parsed by {@code parse} (which returns null or throws for text it does not take)
   * and written in its canonical form.
   *
   * @throws Mismatch when the value is not text that {@code parse} takes
   */
  private static JsonNode parsedText(JsonNode value, Type type, Function<String, ?> parse)
      throws Mismatch {
    Object parsed = value.isTextual() ? parsedOrNull(value.asText(), parse) : null;
    if (parsed == null) {
      throw mismatch(value, type);
    }
    return NODES.textNode(parsed.toString());
  }

  private static <T> T parsedOrNull(String text, Function<String, T> parse) {
    try {
      return parse.apply(text);
    } catch (DateTimeParseException | IllegalArgumentException e) {
      return null;
    }
  }
}
