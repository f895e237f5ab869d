package dev.sluice.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a record of the response into the rows of the table: the record itself, or for a child
 * table ({@code child_path}) one row per element of an array inside it, carrying the parent's key
 * fields as {@code parent_<field>}. Nested objects are flattened into columns joined by the
 * separator ({@code customer_address_city}) or kept as structs; arrays stay lists.
 */
final class RecordShaper {
  private static final JsonNodeFactory NODES = new JsonNodeFactory(true);

  private final boolean flatten;
  private final String separator;
  private final JsonPointer childPath;
  private final List<ParentKey> parentKeys = new ArrayList<>();

  private record ParentKey(JsonPointer path, String column) {}

  RecordShaper(HttpOptions options) {
    this.flatten = options.flatten();
    this.separator = options.separator();
    this.childPath = options.childPath() == null ? null : JsonPaths.pointer(options.childPath());
    for (String key : options.parentKeys()) {
      parentKeys.add(
          new ParentKey(
              JsonPaths.pointer(key), "parent_" + String.join(separator, JsonPaths.names(key))));
    }
  }

  /** The names of the parent key columns of a child table, else empty. */
  List<String> parentKeyColumns() {
    return parentKeys.stream().map(ParentKey::column).toList();
  }

  /**
   * The rows of one record.
   *
   * @throws JsonValues.Mismatch when the record cannot become rows (not an object, a child path
   *     that is not an array, two fields that become the same column)
   */
  List<ObjectNode> rows(JsonNode record) throws JsonValues.Mismatch {
    if (!record.isObject()) {
      throw new JsonValues.Mismatch("the record is not a JSON object but " + kind(record));
    }
    if (childPath == null) {
      return List.of(shape(record));
    }
    JsonNode children = record.at(childPath);
    if (children.isMissingNode() || children.isNull()) {
      return List.of();
    }
    if (!children.isArray()) {
      throw new JsonValues.Mismatch(
          "child_path '" + childPath + "' holds " + kind(children) + ", not an array");
    }
    List<ObjectNode> rows = new ArrayList<>(children.size());
    for (JsonNode child : children) {
      ObjectNode row = NODES.objectNode();
      for (ParentKey key : parentKeys) {
        row.set(
            key.column(),
            record.at(key.path()).isMissingNode() ? NODES.nullNode() : record.at(key.path()));
      }
      if (child.isObject()) {
        ObjectNode shaped = shape(child);
        for (Map.Entry<String, JsonNode> field : shaped.properties()) {
          if (row.has(field.getKey())) {
            throw new JsonValues.Mismatch(
                "the child field '" + field.getKey() + "' has the name of a parent key column");
          }
          row.set(field.getKey(), field.getValue());
        }
      } else {
        row.set("value", child);
      }
      rows.add(row);
    }
    return rows;
  }

  private ObjectNode shape(JsonNode record) throws JsonValues.Mismatch {
    if (!flatten) {
      return (ObjectNode) record;
    }
    ObjectNode row = NODES.objectNode();
    flatten(record, "", row);
    return row;
  }

  private void flatten(JsonNode object, String prefix, ObjectNode row) throws JsonValues.Mismatch {
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      String name = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject() && !value.isEmpty()) {
        flatten(value, name + separator, row);
      } else {
        if (row.has(name)) {
          throw new JsonValues.Mismatch(
              "two fields become column '" + name + "' when nested objects are flattened");
        }
        row.set(name, value);
      }
    }
  }

  static String kind(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.isObject()
        ? "an object"
        : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
