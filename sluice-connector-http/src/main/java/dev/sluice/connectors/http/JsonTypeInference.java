package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Infers the type of a column from the JSON values it holds, without keeping them: each value is
 * counted by kind. A column whose values are mostly numbers is a number column (long when all
 * numbers are whole, else double), mostly strings a string column (or date, timestamp or
 * timestamptz when every string is one in ISO 8601), mostly objects a struct of the fields seen,
 * mostly arrays a list. Values of a kind other than the column's are then mismatches, which {@link
 * JsonValues} reports. Ties go to the kind seen first; a column with only nulls is a string.
 */
final class JsonTypeInference {
  private enum Kind {
    BOOLEAN,
    NUMBER,
    STRING,
    OBJECT,
    ARRAY
  }

  private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final List<Kind> seen = new ArrayList<>();
  private boolean fractions;
  private boolean allDates = true;
  private boolean allTimestampsWithZone = true;
  private boolean allTimestamps = true;
  private Map<String, JsonTypeInference> fields;
  private JsonTypeInference elements;

  /** Counts each field of {@code object} in the inference of its name, made on first sight. */
  static void addFields(Map<String, JsonTypeInference> byName, JsonNode object) {
    object
        .properties()
        .forEach(
            field ->
                byName
                    .computeIfAbsent(field.getKey(), name -> new JsonTypeInference())
                    .add(field.getValue()));
  }

  /** Counts one value. */
  void add(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    Kind kind;
    if (value.isBoolean()) {
      kind = Kind.BOOLEAN;
    } else if (value.isNumber()) {
      kind = Kind.NUMBER;
      if (!value.isIntegralNumber() || !value.canConvertToLong()) {
        fractions = true;
      }
    } else if (value.isTextual()) {
      kind = Kind.STRING;
      String text = value.asText();
      boolean date = JsonValues.date(text) != null;
      allDates &= date;
      allTimestampsWithZone &= !date && JsonValues.timestampWithZone(text) != null;
      allTimestamps &= !date && JsonValues.timestamp(text) != null;
    } else if (value.isObject()) {
      kind = Kind.OBJECT;
      if (fields == null) {
        fields = new LinkedHashMap<>();
      }
      addFields(fields, value);
    } else if (value.isArray()) {
      kind = Kind.ARRAY;
      if (elements == null) {
        elements = new JsonTypeInference();
      }
      value.forEach(elements::add);
    } else {
      kind = Kind.STRING;
      allDates = false;
      allTimestamps = false;
      allTimestampsWithZone = false;
    }
    if (counts.merge(kind, 1L, Long::sum) == 1L) {
      seen.add(kind);
    }
  }

  /** The inferred type; nested fields and elements take ids from {@code ids}. */
  Type type(AtomicInteger ids) {
    Kind kind = null;
    long most = 0;
    for (Kind candidate : seen) {
      long count = counts.get(candidate);
      if (count > most) {
        kind = candidate;
        most = count;
      }
    }
    if (kind == null) {
      return Types.StringType.get();
    }
    return switch (kind) {
      case BOOLEAN -> Types.BooleanType.get();
      case NUMBER -> fractions ? Types.DoubleType.get() : Types.LongType.get();
      case STRING ->
          allDates
              ? Types.DateType.get()
              : allTimestampsWithZone
                  ? Types.TimestampType.withZone()
                  : allTimestamps ? Types.TimestampType.withoutZone() : Types.StringType.get();
      case OBJECT -> {
        if (fields.isEmpty()) {
          yield Types.StringType.get();
        }
        List<Types.NestedField> nested = new ArrayList<>();
        fields.forEach(
            (name, inference) ->
                nested.add(
                    Types.NestedField.optional(ids.incrementAndGet(), name, inference.type(ids))));
        yield Types.StructType.of(nested);
      }
      case ARRAY -> {
        int id = ids.incrementAndGet();
        yield Types.ListType.ofOptional(id, elements.type(ids));
      }
    };
  }
}
