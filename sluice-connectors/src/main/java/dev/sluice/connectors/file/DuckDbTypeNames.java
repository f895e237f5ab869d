package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import java.util.StringJoiner;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * DuckDB type names for the Iceberg types of declared columns. Kept here rather than depending on
 * the DuckDB engine module: the connector only talks SQL to an {@link
 * dev.sluice.api.engine.EngineSession}.
 */
final class DuckDbTypeNames {
  private DuckDbTypeNames() {}

  /**
   * The DuckDB type for an Iceberg type, e.g. {@code DECIMAL(12,2)} or {@code STRUCT("a" INTEGER)}.
   *
   * @throws InvalidInputException for a type DuckDB cannot read into
   */
  static String of(Type type) {
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
          ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case TIMESTAMP_NANO ->
          ((Types.TimestampNanoType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP_NS";
      case BINARY, FIXED -> "BLOB";
      case UUID -> "UUID";
      case LIST -> of(type.asListType().elementType()) + "[]";
      case MAP ->
          "MAP(" + of(type.asMapType().keyType()) + ", " + of(type.asMapType().valueType()) + ")";
      case STRUCT -> {
        StringJoiner fields = new StringJoiner(", ", "STRUCT(", ")");
        for (Types.NestedField field : type.asStructType().fields()) {
          fields.add(Sql.identifier(field.name()) + " " + of(field.type()));
        }
        yield fields.toString();
      }
      default ->
          throw new InvalidInputException("Column type " + type + " cannot be read from files");
    };
  }

  /** Whether values of the type are text (so any value converts to it). */
  static boolean isText(Type type) {
    return type.typeId() == Type.TypeID.STRING;
  }
}
