package dev.sluice.connectors.kafka;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The columns of Avro record schemas: one per field, typed as the Avro type says.
 *
 * <ul>
 *   <li>{@code boolean}, {@code int}, {@code long}, {@code float}, {@code double}, {@code string}
 *       as such; {@code enum} and {@code uuid} as strings;
 *   <li>{@code decimal(p, s)} as decimal (as a string beyond 38 digits), {@code date} as date,
 *       {@code time-*} as time, {@code timestamp-*} as timestamp with time zone, {@code
 *       local-timestamp-*} as timestamp;
 *   <li>{@code bytes} and {@code fixed} as binary in top-level columns, as base64 strings inside
 *       structs, lists and maps;
 *   <li>records as structs (with {@code nested: flatten}, a record field's fields become columns
 *       named {@code parent_child}, recursively, outside lists and maps), arrays as lists, maps as
 *       maps with string keys;
 *   <li>a union of {@code null} and one type as that type (every column is nullable); other unions
 *       and recursive records as strings holding their JSON.
 * </ul>
 *
 * Several writer schemas (a subject that evolved) give the union of their fields, in the order of
 * the schema ids: a field added by a later schema becomes a new column, which the table's {@code
 * schema_drift} policy then accepts or refuses. A field whose type changed takes the latest
 * schema's type.
 */
final class AvroColumns {
  private AvroColumns() {}

  /**
   * The columns of the record schemas, in the order given.
   *
   * @param separator with {@code nested: flatten}, what joins the names of a record field and its
   *     fields (records in records become columns {@code parent_child}); null to keep structs
   * @throws DataException when two fields of a schema flatten to the same column name
   */
  static List<SourceTableSpec.Column> of(Iterable<Schema> schemas, String separator) {
    AtomicInteger ids = new AtomicInteger(1000);
    Map<String, Type> columns = new LinkedHashMap<>();
    for (Schema schema : schemas) {
      if (schema.getType() != Schema.Type.RECORD) {
        continue;
      }
      Set<String> path = new HashSet<>();
      path.add(schema.getFullName());
      Map<String, Type> own = new LinkedHashMap<>();
      for (Schema.Field field : schema.getFields()) {
        add(own, field.name(), field.schema(), separator, path, ids, schema);
      }
      columns.putAll(own);
    }
    List<SourceTableSpec.Column> result = new ArrayList<>();
    columns.forEach((name, type) -> result.add(new SourceTableSpec.Column(name, type)));
    return result;
  }

  /**
   * The record a field holds, alone or in a union with null, that {@code nested: flatten} turns
   * into columns; null for any other field, or a record that contains itself.
   */
  static Schema flattenedRecord(Schema schema, Set<String> path) {
    Schema record = schema;
    if (schema.getType() == Schema.Type.UNION) {
      List<Schema> branches =
          schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
      record = branches.size() == 1 ? branches.get(0) : null;
    }
    return record != null
            && record.getType() == Schema.Type.RECORD
            && !path.contains(record.getFullName())
        ? record
        : null;
  }

  private static void add(
      Map<String, Type> columns,
      String name,
      Schema schema,
      String separator,
      Set<String> path,
      AtomicInteger ids,
      Schema owner) {
    Schema record = separator == null ? null : flattenedRecord(schema, path);
    if (record != null) {
      path.add(record.getFullName());
      for (Schema.Field field : record.getFields()) {
        add(columns, name + separator + field.name(), field.schema(), separator, path, ids, owner);
      }
      path.remove(record.getFullName());
      return;
    }
    if (columns.put(name, type(schema, true, path, ids)) != null) {
      throw new DataException(
          "Fields of the Avro schema "
              + owner.getFullName()
              + " flatten to the same column name "
              + name
              + "; set another 'separator', or nested: struct");
    }
  }

  private static Type type(Schema schema, boolean topLevel, Set<String> path, AtomicInteger ids) {
    LogicalType logical = schema.getLogicalType();
    return switch (schema.getType()) {
      case UNION -> {
        List<Schema> branches =
            schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        yield branches.size() == 1
            ? type(branches.get(0), topLevel, path, ids)
            : Types.StringType.get();
      }
      case RECORD -> {
        if (!path.add(schema.getFullName())) {
          yield Types.StringType.get();
        }
        List<Types.NestedField> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
          fields.add(
              Types.NestedField.optional(
                  ids.incrementAndGet(), field.name(), type(field.schema(), false, path, ids)));
        }
        path.remove(schema.getFullName());
        yield Types.StructType.of(fields);
      }
      case ARRAY ->
          Types.ListType.ofOptional(
              ids.incrementAndGet(), type(schema.getElementType(), false, path, ids));
      case MAP ->
          Types.MapType.ofOptional(
              ids.incrementAndGet(),
              ids.incrementAndGet(),
              Types.StringType.get(),
              type(schema.getValueType(), false, path, ids));
      case BYTES, FIXED -> {
        if (logical instanceof LogicalTypes.Decimal decimal) {
          yield decimal.getPrecision() <= 38
              ? Types.DecimalType.of(decimal.getPrecision(), decimal.getScale())
              : Types.StringType.get();
        }
        yield topLevel ? Types.BinaryType.get() : Types.StringType.get();
      }
      case INT -> {
        if (logical instanceof LogicalTypes.Date) {
          yield Types.DateType.get();
        }
        yield logical instanceof LogicalTypes.TimeMillis
            ? Types.TimeType.get()
            : Types.IntegerType.get();
      }
      case LONG -> {
        if (logical instanceof LogicalTypes.TimestampMillis
            || logical instanceof LogicalTypes.TimestampMicros
            || logical instanceof LogicalTypes.TimestampNanos) {
          yield Types.TimestampType.withZone();
        }
        if (logical instanceof LogicalTypes.LocalTimestampMillis
            || logical instanceof LogicalTypes.LocalTimestampMicros
            || logical instanceof LogicalTypes.LocalTimestampNanos) {
          yield Types.TimestampType.withoutZone();
        }
        yield logical instanceof LogicalTypes.TimeMicros
            ? Types.TimeType.get()
            : Types.LongType.get();
      }
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case ENUM, STRING, NULL -> Types.StringType.get();
    };
  }
}
