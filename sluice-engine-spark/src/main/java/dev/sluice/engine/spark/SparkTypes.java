package dev.sluice.engine.spark;

import dev.sluice.api.QueryException;
import java.nio.ByteBuffer;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Iceberg's types as Spark's, and Spark's values as the Java values Sluice passes around. */
final class SparkTypes {
  /** The metadata key by which Spark reads and writes a Parquet column's field id. */
  static final String FIELD_ID = "parquet.field.id";

  private SparkTypes() {}

  /**
   * The Spark schema of an Iceberg schema; with {@code fieldIds}, each column carries its Iceberg
   * field id, by which Spark then reads and writes Parquet columns.
   */
  static StructType struct(Schema schema, boolean fieldIds) {
    List<StructField> fields = new ArrayList<>();
    for (Types.NestedField column : schema.columns()) {
      Metadata metadata =
          fieldIds
              ? new MetadataBuilder().putLong(FIELD_ID, column.fieldId()).build()
              : Metadata.empty();
      fields.add(new StructField(column.name(), sparkType(column), true, metadata));
    }
    return new StructType(fields.toArray(StructField[]::new));
  }

  /** The metadata carrying a column's field id. */
  static Metadata fieldId(int id) {
    return new MetadataBuilder().putLong(FIELD_ID, id).build();
  }

  /**
   * Spark's type for an Iceberg column's type.
   *
   * @throws QueryException for a type Spark 4.0 has no equivalent of (TIME, UUID, fixed), naming
   *     the column
   */
  static DataType sparkType(Types.NestedField column) {
    return sparkType(column.name(), column.type());
  }

  private static DataType sparkType(String column, Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> DataTypes.BooleanType;
      case INTEGER -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case FLOAT -> DataTypes.FloatType;
      case DOUBLE -> DataTypes.DoubleType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC()
              ? DataTypes.TimestampType
              : DataTypes.TimestampNTZType;
      case STRING -> DataTypes.StringType;
      case BINARY -> DataTypes.BinaryType;
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield DataTypes.createDecimalType(decimal.precision(), decimal.scale());
      }
      case LIST ->
          DataTypes.createArrayType(
              sparkType(column, type.asListType().elementType()),
              type.asListType().isElementOptional());
      default ->
          throw new QueryException(
              "Column "
                  + column
                  + " is of type "
                  + type
                  + ", which the Spark engine cannot read or write: use the duckdb engine for this"
                  + " model, or cast the column to a string",
              null);
    };
  }

  /** An Iceberg schema of Spark's result columns, with fresh field ids from 1. */
  static Schema icebergSchema(StructType struct) {
    AtomicInteger ids = new AtomicInteger(struct.fields().length);
    List<Types.NestedField> columns = new ArrayList<>();
    int id = 0;
    for (StructField field : struct.fields()) {
      columns.add(
          Types.NestedField.optional(
              ++id, field.name(), icebergType(field.name(), field.dataType(), ids)));
    }
    return new Schema(columns);
  }

  private static Type icebergType(String column, DataType type, AtomicInteger ids) {
    if (type instanceof ArrayType array) {
      return Types.ListType.ofOptional(
          ids.incrementAndGet(), icebergType(column, array.elementType(), ids));
    }
    if (type instanceof DecimalType decimal) {
      return Types.DecimalType.of(decimal.precision(), decimal.scale());
    }
    if (type.equals(DataTypes.BooleanType)) {
      return Types.BooleanType.get();
    }
    if (type.equals(DataTypes.ByteType)
        || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.IntegerType)) {
      return Types.IntegerType.get();
    }
    if (type.equals(DataTypes.LongType)) {
      return Types.LongType.get();
    }
    if (type.equals(DataTypes.FloatType)) {
      return Types.FloatType.get();
    }
    if (type.equals(DataTypes.DoubleType)) {
      return Types.DoubleType.get();
    }
    if (type.equals(DataTypes.DateType)) {
      return Types.DateType.get();
    }
    if (type.equals(DataTypes.TimestampType)) {
      return Types.TimestampType.withZone();
    }
    if (type.equals(DataTypes.TimestampNTZType)) {
      return Types.TimestampType.withoutZone();
    }
    if (type.equals(DataTypes.BinaryType)) {
      return Types.BinaryType.get();
    }
    if (type instanceof org.apache.spark.sql.types.StringType || type.equals(DataTypes.NullType)) {
      return Types.StringType.get();
    }
    throw new QueryException(
        "Column " + column + " is of Spark type " + type.sql() + ", which Sluice cannot store",
        null);
  }

  /**
   * A value of Spark's result as the Java value Sluice uses: dates as {@link java.time.LocalDate},
   * timestamps as {@link java.time.LocalDateTime} or, with a time zone, {@link
   * java.time.OffsetDateTime} in UTC, arrays as {@link List}.
   */
  static Object javaValue(Object value) {
    if (value instanceof scala.collection.Iterable<?> iterable) {
      List<Object> list = new ArrayList<>();
      iterable.foreach(element -> list.add(javaValue(element)));
      return list;
    }
    if (value instanceof Instant instant) {
      return instant.atOffset(ZoneOffset.UTC);
    }
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant().atOffset(ZoneOffset.UTC);
    }
    if (value instanceof Date date) {
      return date.toLocalDate();
    }
    if (value instanceof scala.math.BigDecimal decimal) {
      return decimal.bigDecimal();
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    return value;
  }
}
