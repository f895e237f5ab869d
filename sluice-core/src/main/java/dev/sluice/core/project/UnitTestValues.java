package dev.sluice.core.project;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The values of unit tests' rows, as written in YAML (numbers, booleans, text) or CSV (text), typed
 * for the engine: converted to a column's type, or the type inferred from the values when the
 * column's type is not declared anywhere.
 */
public final class UnitTestValues {
  private UnitTestValues() {}

  /** A value that does not fit its column's type. */
  public static final class WrongTypeException extends Exception {
    private static final long serialVersionUID = 1L;

    WrongTypeException(String message) {
      super(message);
    }
  }

  /** The declared type of a column of a project file, or empty when none is declared. */
  public static Optional<Type> declaredType(ColumnDef column) {
    if (column.type() == null || column.type().isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ColumnTypes.parse(column.type(), column.location()));
    } catch (RuntimeException e) {
      return Optional.empty(); // reported where the column is declared
    }
  }

  /**
   * A value as the engine's row writer takes it for a column of {@code type}; null stays null.
   *
   * @throws WrongTypeException saying what the value is and which type it does not fit
   */
  public static Object convert(Object value, Type type) throws WrongTypeException {
    if (value == null) {
      return null;
    }
    String text = String.valueOf(value).strip();
    try {
      return switch (type.typeId()) {
        case BOOLEAN -> {
          if (value instanceof Boolean b) {
            yield b;
          }
          String lower = text.toLowerCase(Locale.ROOT);
          if (lower.equals("true") || lower.equals("false")) {
            yield Boolean.valueOf(lower);
          }
          throw wrong(value, type);
        }
        case INTEGER -> Integer.valueOf(integral(value, text).intValueExact());
        case LONG -> Long.valueOf(integral(value, text).longValueExact());
        case FLOAT -> Float.valueOf(text);
        case DOUBLE -> Double.valueOf(text);
        case DECIMAL -> {
          Types.DecimalType decimal = (Types.DecimalType) type;
          BigDecimal number = new BigDecimal(text).setScale(decimal.scale(), RoundingMode.HALF_UP);
          if (number.precision() > decimal.precision()) {
            throw wrong(value, type);
          }
          yield number;
        }
        case STRING -> value instanceof String s ? s : text;
        case DATE -> LocalDate.parse(text);
        case TIME -> LocalTime.parse(text);
        case TIMESTAMP -> {
          if (((Types.TimestampType) type).shouldAdjustToUTC()) {
            yield offsetDateTime(text);
          }
          yield localDateTime(text);
        }
        case UUID -> UUID.fromString(text);
        default ->
            throw new WrongTypeException(
                "a unit test cannot give values of type " + ColumnTypes.sqlName(type));
      };
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      throw wrong(value, type);
    } catch (IllegalArgumentException e) {
      throw wrong(value, type);
    }
  }

  /**
   * The type of a column whose type is declared nowhere, from its values: bigint for whole numbers,
   * double for other numbers, boolean, date ({@code 2026-01-31}), timestamp ({@code 2026-01-31
   * 10:00:00}), else varchar (also when every value is null).
   */
  public static Type infer(List<Object> values) {
    Type inferred = null;
    for (Object value : values) {
      if (value == null) {
        continue;
      }
      Type type = inferOne(value);
      if (inferred == null || inferred.equals(type)) {
        inferred = type;
      } else if (numeric(inferred) && numeric(type)) {
        inferred = Types.DoubleType.get();
      } else if ((inferred.typeId() == Type.TypeID.DATE && type.typeId() == Type.TypeID.TIMESTAMP)
          || (inferred.typeId() == Type.TypeID.TIMESTAMP && type.typeId() == Type.TypeID.DATE)) {
        inferred = Types.TimestampType.withoutZone();
      } else {
        return Types.StringType.get();
      }
    }
    return inferred == null ? Types.StringType.get() : inferred;
  }

  /** A message for a value of a column that does not fit its type, at the value's place. */
  public static String describe(String column, Object value, String what, String problem) {
    return "The value '" + value + "' of column '" + column + "' in " + what + " " + problem;
  }

  private static Type inferOne(Object value) {
    if (value instanceof Boolean) {
      return Types.BooleanType.get();
    }
    if (value instanceof Integer || value instanceof Long) {
      return Types.LongType.get();
    }
    if (value instanceof Number) {
      return Types.DoubleType.get();
    }
    String text = String.valueOf(value).strip();
    if (text.matches("-?\\d{1,18}")) {
      return Types.LongType.get();
    }
    if (text.matches("-?\\d*\\.\\d+([eE][-+]?\\d+)?|-?\\d+[eE][-+]?\\d+")) {
      return Types.DoubleType.get();
    }
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Types.BooleanType.get();
    }
    try {
      LocalDate.parse(text);
      return Types.DateType.get();
    } catch (DateTimeParseException e) {
      // not a date
    }
    try {
      localDateTime(text);
      return Types.TimestampType.withoutZone();
    } catch (DateTimeParseException e) {
      return Types.StringType.get();
    }
  }

  private static boolean numeric(Type type) {
    return type.typeId() == Type.TypeID.LONG || type.typeId() == Type.TypeID.DOUBLE;
  }

  private static BigDecimal integral(Object value, String text) throws WrongTypeException {
    if (value instanceof Double || value instanceof Float) {
      BigDecimal number = BigDecimal.valueOf(((Number) value).doubleValue());
      if (number.stripTrailingZeros().scale() > 0) {
        throw new NumberFormatException(text);
      }
      return number;
    }
    return new BigDecimal(text).setScale(0, RoundingMode.UNNECESSARY);
  }

  private static LocalDateTime localDateTime(String text) {
    String iso = text.replace(' ', 'T');
    if (iso.length() == 10) {
      return LocalDate.parse(iso).atStartOfDay();
    }
    return LocalDateTime.parse(iso);
  }

  private static OffsetDateTime offsetDateTime(String text) {
    String iso = text.replace(' ', 'T');
    try {
      return OffsetDateTime.parse(iso);
    } catch (DateTimeParseException e) {
      return localDateTime(text).atOffset(ZoneOffset.UTC);
    }
  }

  private static WrongTypeException wrong(Object value, Type type) {
    return new WrongTypeException(
        "is not a " + ColumnTypes.sqlName(type) + " (" + describeJava(value) + ")");
  }

  private static String describeJava(Object value) {
    if (value instanceof String) {
      return "text";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    return value.getClass().getSimpleName();
  }
}
