package dev.sluice.engine.duckdb;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/** Maps between DuckDB type names and Iceberg types. */
public final class DuckDbTypes {
  private DuckDbTypes() {}

  /**
   * A SELECT of no rows with {@code columns} (name to Iceberg type, in order) as DuckDB types: e.g.
   * {@code SELECT CAST(NULL AS BIGINT) AS "id" WHERE false}, to create an empty table of them.
   */
  public static String emptySelect(Map<String, Type> columns) {
    StringJoiner select = new StringJoiner(", ", "SELECT ", " WHERE false");
    columns.forEach(
        (name, type) ->
            select.add("CAST(NULL AS " + toDuckDb(type) + ") AS " + TableName.quote(name)));
    return select.toString();
  }

  /**
   * The DuckDB type for an Iceberg type, e.g. {@code DECIMAL(12,2)} or {@code STRUCT("a" INTEGER)}.
   */
  public static String toDuckDb(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield "DECIMAL(" + decimal.precision() + "," + decimal.scale() + ")";
      }
      case STRING -> "VARCHAR";
      case DATE -> "DATE";
      case TIME -> "TIME";
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC()
              ? "TIMESTAMP WITH TIME ZONE"
              : "TIMESTAMP";
      case TIMESTAMP_NANO ->
          ((Types.TimestampNanoType) type).shouldAdjustToUTC()
              ? "TIMESTAMP WITH TIME ZONE"
              : "TIMESTAMP_NS";
      case BINARY, FIXED -> "BLOB";
      case UUID -> "UUID";
      case LIST -> toDuckDb(type.asListType().elementType()) + "[]";
      case MAP ->
          "MAP("
              + toDuckDb(type.asMapType().keyType())
              + ", "
              + toDuckDb(type.asMapType().valueType())
              + ")";
      case STRUCT -> {
        List<String> fields = new ArrayList<>();
        for (Types.NestedField field : type.asStructType().fields()) {
          fields.add(TableName.quote(field.name()) + " " + toDuckDb(field.type()));
        }
        yield "STRUCT(" + String.join(", ", fields) + ")";
      }
      default ->
          throw new IllegalArgumentException("Iceberg type " + type + " has no DuckDB equivalent");
    };
  }

  /**
   * A schema with fresh field ids (from 1) for columns of the given names and DuckDB types.
   *
   * @throws IllegalArgumentException naming the column whose type cannot be stored
   */
  public static Schema toSchema(List<String> names, List<String> duckDbTypes) {
    List<Types.NestedField> fields = new ArrayList<>();
    AtomicInteger ids = new AtomicInteger();
    for (int i = 0; i < names.size(); i++) {
      Type type;
      try {
        type = toIceberg(duckDbTypes.get(i), ids);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Column '" + names.get(i) + "': " + e.getMessage() + "; cast it to a supported type",
            e);
      }
      fields.add(Types.NestedField.optional(ids.incrementAndGet(), names.get(i), type));
    }
    return TypeUtil.assignFreshIds(new Schema(fields), new AtomicInteger()::incrementAndGet);
  }

  /** The Iceberg type for a DuckDB type name (as DESCRIBE prints it). */
  public static Type toIceberg(String duckDbType) {
    return toIceberg(duckDbType, new AtomicInteger(1000));
  }

  private static Type toIceberg(String duckDbType, AtomicInteger ids) {
    TypeParser parser = new TypeParser(duckDbType, ids);
    Type type = parser.parseType();
    parser.expectEnd();
    return type;
  }

  /** A small recursive-descent reader of DuckDB's type names. */
  private static final class TypeParser {
    private final String text;
    private final AtomicInteger ids;
    private int position;

    TypeParser(String text, AtomicInteger ids) {
      this.text = text.trim();
      this.ids = ids;
    }

    Type parseType() {
      Type type = parseBaseType();
      skipSpaces();
      while (peek('[')) {
        position++;
        while (position < text.length() && Character.isDigit(text.charAt(position))) {
          position++;
        }
        expect(']');
        type = Types.ListType.ofOptional(ids.incrementAndGet(), type);
        skipSpaces();
      }
      return type;
    }

    private Type parseBaseType() {
      skipSpaces();
      String word = readWord().toUpperCase(Locale.ROOT);
      switch (word) {
        case "STRUCT" -> {
          expect('(');
          List<Types.NestedField> fields = new ArrayList<>();
          do {
            skipSpaces();
            String name = readName();
            Type fieldType = parseType();
            fields.add(Types.NestedField.optional(ids.incrementAndGet(), name, fieldType));
            skipSpaces();
          } while (consume(','));
          expect(')');
          return Types.StructType.of(fields);
        }
        case "MAP" -> {
          expect('(');
          Type key = parseType();
          expect(',');
          Type value = parseType();
          expect(')');
          return Types.MapType.ofOptional(ids.incrementAndGet(), ids.incrementAndGet(), key, value);
        }
        case "DECIMAL", "NUMERIC" -> {
          if (!consume('(')) {
            return Types.DecimalType.of(18, 3);
          }
          int precision = readNumber();
          int scale = consume(',') ? readNumber() : 0;
          expect(')');
          return Types.DecimalType.of(precision, scale);
        }
        case "TIMESTAMP" -> {
          if (readOptionalWords("WITH", "TIME", "ZONE")) {
            return Types.TimestampType.withZone();
          }
          return Types.TimestampType.withoutZone();
        }
        case "TIMESTAMPTZ" -> {
          return Types.TimestampType.withZone();
        }
        case "TIME" -> {
          if (readOptionalWords("WITH", "TIME", "ZONE")) {
            throw new IllegalArgumentException("type TIME WITH TIME ZONE cannot be stored");
          }
          return Types.TimeType.get();
        }
        case "ENUM" -> {
          skipParenthesized();
          return Types.StringType.get();
        }
        default -> {
          return primitive(word);
        }
      }
    }

    private static Type primitive(String word) {
      return switch (word) {
        case "BOOLEAN", "BOOL" -> Types.BooleanType.get();
        case "TINYINT", "SMALLINT", "INTEGER", "INT", "UTINYINT", "USMALLINT" ->
            Types.IntegerType.get();
        case "BIGINT", "UINTEGER" -> Types.LongType.get();
        case "UBIGINT", "HUGEINT", "UHUGEINT" -> Types.DecimalType.of(38, 0);
        case "FLOAT", "REAL" -> Types.FloatType.get();
        case "DOUBLE" -> Types.DoubleType.get();
        case "VARCHAR", "JSON", "STRING", "TEXT" -> Types.StringType.get();
        case "DATE" -> Types.DateType.get();
        case "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" -> Types.TimestampType.withoutZone();
        case "BLOB", "BYTEA", "VARBINARY" -> Types.BinaryType.get();
        case "UUID" -> Types.UUIDType.get();
        case "\"NULL\"", "NULL" -> Types.StringType.get();
        default -> throw new IllegalArgumentException("type " + word + " cannot be stored");
      };
    }

    private boolean readOptionalWords(String... words) {
      int saved = position;
      for (String expected : words) {
        skipSpaces();
        if (position >= text.length() || !readWord().equalsIgnoreCase(expected)) {
          position = saved;
          return false;
        }
      }
      return true;
    }

    private String readName() {
      skipSpaces();
      if (peek('"')) {
        StringBuilder name = new StringBuilder();
        position++;
        while (position < text.length()) {
          char c = text.charAt(position++);
          if (c == '"') {
            if (peek('"')) {
              name.append('"');
              position++;
            } else {
              return name.toString();
            }
          } else {
            name.append(c);
          }
        }
        throw error("unterminated quoted name");
      }
      return readWord();
    }

    private String readWord() {
      skipSpaces();
      int start = position;
      if (peek('"')) {
        int end = text.indexOf('"', position + 1);
        position = end < 0 ? text.length() : end + 1;
        return text.substring(start, position);
      }
      while (position < text.length()
          && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
        position++;
      }
      if (start == position) {
        throw error("expected a type name");
      }
      return text.substring(start, position);
    }

    private int readNumber() {
      skipSpaces();
      int start = position;
      while (position < text.length() && Character.isDigit(text.charAt(position))) {
        position++;
      }
      if (start == position) {
        throw error("expected a number");
      }
      return Integer.parseInt(text.substring(start, position));
    }

    private void skipParenthesized() {
      expect('(');
      int depth = 1;
      boolean quoted = false;
      while (position < text.length() && depth > 0) {
        char c = text.charAt(position++);
        if (c == '\'') {
          quoted = !quoted;
        } else if (!quoted && c == '(') {
          depth++;
        } else if (!quoted && c == ')') {
          depth--;
        }
      }
    }

    private boolean peek(char c) {
      return position < text.length() && text.charAt(position) == c;
    }

    private boolean consume(char c) {
      skipSpaces();
      if (peek(c)) {
        position++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!consume(c)) {
        throw error("expected '" + c + "'");
      }
    }

    void expectEnd() {
      skipSpaces();
      if (position != text.length()) {
        throw error("unexpected text");
      }
    }

    private void skipSpaces() {
      while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
        position++;
      }
    }

    private IllegalArgumentException error(String problem) {
      return new IllegalArgumentException(
          "cannot read type '" + text + "': " + problem + " at position " + position);
    }
  }
}
