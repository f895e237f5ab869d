package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Parses the column types of project files ({@code bigint}, {@code decimal(10,2)}, {@code
 * list<varchar>}, {@code int[]}, {@code struct<a int, b varchar>}, {@code map<varchar, double>})
 * into Iceberg types. Names are case-insensitive.
 *
 * <p>Nested types get placeholder field ids numbered from 1 in the order they appear; assign real
 * ids (for example with {@code TypeUtil.assignFreshIds}) when building a table schema.
 */
public final class ColumnTypes {
  private static final Map<String, Type> PRIMITIVES = new LinkedHashMap<>();

  static {
    PRIMITIVES.put("boolean", Types.BooleanType.get());
    // Iceberg has no 8- or 16-bit integers: tinyint and smallint are stored as int.
    PRIMITIVES.put("tinyint", Types.IntegerType.get());
    PRIMITIVES.put("smallint", Types.IntegerType.get());
    PRIMITIVES.put("int", Types.IntegerType.get());
    PRIMITIVES.put("integer", Types.IntegerType.get());
    PRIMITIVES.put("bigint", Types.LongType.get());
    PRIMITIVES.put("float", Types.FloatType.get());
    PRIMITIVES.put("real", Types.FloatType.get());
    PRIMITIVES.put("double", Types.DoubleType.get());
    PRIMITIVES.put("varchar", Types.StringType.get());
    PRIMITIVES.put("string", Types.StringType.get());
    PRIMITIVES.put("text", Types.StringType.get());
    PRIMITIVES.put("date", Types.DateType.get());
    PRIMITIVES.put("time", Types.TimeType.get());
    PRIMITIVES.put("timestamp", Types.TimestampType.withoutZone());
    PRIMITIVES.put("timestamptz", Types.TimestampType.withZone());
    PRIMITIVES.put("binary", Types.BinaryType.get());
    PRIMITIVES.put("blob", Types.BinaryType.get());
    PRIMITIVES.put("uuid", Types.UUIDType.get());
  }

  private static final List<String> NESTED = List.of("decimal", "list", "struct", "map");

  private ColumnTypes() {}

  /** The type names the parser knows, for help texts. */
  public static List<String> typeNames() {
    List<String> names = new ArrayList<>(PRIMITIVES.keySet());
    names.add("decimal(p,s)");
    names.add("list<T>");
    names.add("T[]");
    names.add("struct<name T, ...>");
    names.add("map<K, V>");
    return List.copyOf(names);
  }

  /**
   * A type as shown to users: Iceberg's name, without the field ids that Iceberg's own text gives
   * nested fields ({@code struct<city: string>}, not {@code struct<3: city: optional string>}).
   */
  public static String display(Type type) {
    requireNonNull(type, "type is null");
    return switch (type.typeId()) {
      case STRUCT -> {
        StringJoiner fields = new StringJoiner(", ", "struct<", ">");
        type.asStructType()
            .fields()
            .forEach(field -> fields.add(field.name() + ": " + display(field.type())));
        yield fields.toString();
      }
      case LIST -> "list<" + display(type.asListType().elementType()) + ">";
      case MAP ->
          "map<"
              + display(type.asMapType().keyType())
              + ", "
              + display(type.asMapType().valueType())
              + ">";
      default -> type.toString();
    };
  }

  /**
   * A type by the SQL name a project file gives it ({@code bigint}, {@code varchar}, {@code
   * decimal(12,2)}), for messages that hold a type against a declared one; nested types as {@link
   * #display} shows them.
   */
  public static String sqlName(Type type) {
    requireNonNull(type, "type is null");
    return switch (type.typeId()) {
      case BOOLEAN -> "boolean";
      case INTEGER -> "int";
      case LONG -> "bigint";
      case FLOAT -> "float";
      case DOUBLE -> "double";
      case STRING -> "varchar";
      case DATE -> "date";
      case TIME -> "time";
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC() ? "timestamptz" : "timestamp";
      case BINARY -> "binary";
      case UUID -> "uuid";
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield "decimal(" + decimal.precision() + "," + decimal.scale() + ")";
      }
      default -> display(type);
    };
  }

  /**
   * Parses a column type as written in a project file.
   *
   * @param text the type, e.g. {@code decimal(10, 2)}
   * @param location where the type is written, for the error
   * @throws ProjectException (with the location) when the type is unknown or malformed
   */
  public static Type parse(String text, Location location) {
    requireNonNull(text, "text is null");
    requireNonNull(location, "location is null");
    return new Parser(text, location).parseAll();
  }

  private static final class Parser {
    private final String text;
    private final Location location;
    private int position;
    private int nextId = 1;

    Parser(String text, Location location) {
      this.text = text;
      this.location = location;
    }

    Type parseAll() {
      skipSpaces();
      if (position == text.length()) {
        throw error("Column type is empty", "write e.g. type: bigint");
      }
      Type type = parseType();
      skipSpaces();
      if (position < text.length()) {
        throw syntax("unexpected '" + text.substring(position) + "'");
      }
      return type;
    }

    private Type parseType() {
      skipSpaces();
      Type type = parseBase();
      skipSpaces();
      while (peek('[')) {
        position++;
        skipSpaces();
        expect(']');
        type = Types.ListType.ofOptional(nextId++, type);
        skipSpaces();
      }
      return type;
    }

    private Type parseBase() {
      int start = position;
      String word = word();
      if (word.isEmpty()) {
        throw syntax("expected a type name at position " + (start + 1));
      }
      String name = word.toLowerCase(Locale.ROOT);
      skipSpaces();
      return switch (name) {
        case "decimal" -> parseDecimal();
        case "list" -> parseList();
        case "map" -> parseMap();
        case "struct" -> parseStruct();
        default -> primitive(name, word);
      };
    }

    private Type parseList() {
      expect('<');
      int elementId = nextId++;
      Type element = parseType();
      skipSpaces();
      expect('>');
      return Types.ListType.ofOptional(elementId, element);
    }

    private Type parseMap() {
      expect('<');
      int keyId = nextId++;
      int valueId = nextId++;
      Type key = parseType();
      skipSpaces();
      expect(',');
      Type value = parseType();
      skipSpaces();
      expect('>');
      return Types.MapType.ofOptional(keyId, valueId, key, value);
    }

    private Type primitive(String name, String word) {
      Type primitive = PRIMITIVES.get(name);
      if (primitive == null) {
        List<String> candidates = new ArrayList<>(PRIMITIVES.keySet());
        candidates.addAll(NESTED);
        throw error(
            "Unknown column type '" + word + "'" + (text.equals(word) ? "" : " in '" + text + "'"),
            Suggestions.closest(word, candidates)
                .map(closest -> "did you mean '" + closest + "'?")
                .orElse("known types: " + String.join(", ", typeNames())));
      }
      return primitive;
    }

    private Type parseDecimal() {
      if (!peek('(')) {
        throw error("Type 'decimal' needs a precision and a scale", "write e.g. decimal(10,2)");
      }
      position++;
      int precision = number();
      skipSpaces();
      expect(',');
      int scale = number();
      skipSpaces();
      expect(')');
      if (precision < 1 || precision > 38 || scale > precision) {
        throw error(
            "Invalid decimal(" + precision + "," + scale + ")",
            "the precision must be 1 to 38 and the scale at most the precision");
      }
      return Types.DecimalType.of(precision, scale);
    }

    private Type parseStruct() {
      expect('<');
      List<Types.NestedField> fields = new ArrayList<>();
      Set<String> names = new HashSet<>();
      do {
        skipSpaces();
        String fieldName = word();
        if (fieldName.isEmpty()) {
          throw syntax("expected a field name at position " + (position + 1));
        }
        if (!names.add(fieldName.toLowerCase(Locale.ROOT))) {
          throw error("Field '" + fieldName + "' appears twice in '" + text + "'", "");
        }
        skipSpaces();
        if (peek(':')) {
          position++;
        }
        int id = nextId++;
        Type type = parseType();
        fields.add(Types.NestedField.optional(id, fieldName, type));
        skipSpaces();
      } while (consume(','));
      expect('>');
      return Types.StructType.of(fields);
    }

    private int number() {
      skipSpaces();
      int start = position;
      while (position < text.length() && Character.isDigit(text.charAt(position))) {
        position++;
      }
      if (start == position) {
        throw syntax("expected a number at position " + (start + 1));
      }
      try {
        return Integer.parseInt(text.substring(start, position));
      } catch (NumberFormatException e) {
        throw syntax("number too large at position " + (start + 1));
      }
    }

    private String word() {
      int start = position;
      while (position < text.length()
          && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
        position++;
      }
      return text.substring(start, position);
    }

    private boolean peek(char expected) {
      return position < text.length() && text.charAt(position) == expected;
    }

    private boolean consume(char expected) {
      skipSpaces();
      if (peek(expected)) {
        position++;
        return true;
      }
      return false;
    }

    private void expect(char expected) {
      skipSpaces();
      if (!peek(expected)) {
        String found =
            position < text.length() ? "'" + text.charAt(position) + "'" : "the end of the type";
        throw syntax(
            "expected '" + expected + "' at position " + (position + 1) + ", found " + found);
      }
      position++;
    }

    private void skipSpaces() {
      while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
        position++;
      }
    }

    private ProjectException syntax(String detail) {
      return error(
          "Invalid column type '" + text + "': " + detail,
          "nested types are written list<T> or T[], struct<name T, ...> and map<K, V>");
    }

    private ProjectException error(String message, String hint) {
      return new ProjectException(location, message, hint);
    }
  }
}
