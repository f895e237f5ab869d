package dev.sluice.core.project;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.core.project.ContractDef.Constraint;
import dev.sluice.core.project.ContractDef.ConstraintType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.types.Type;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Contracts as Open Data Contract Standard (ODCS) v3 documents, so that producers and consumers
 * exchange them: {@link #export} writes a model's or source table's contract as an ODCS v3.1.0 data
 * contract (one schema object, one property a column: {@code physicalType} is the declared type,
 * {@code logicalType} its ODCS kind, {@code required}, {@code unique}, {@code primaryKey} from the
 * constraints; check expressions and multi-column constraints as quality rules), and {@link
 * #importContract} reads one back into Sluice's properties YAML. What ODCS has no field for (the
 * grain's columns, enforcement, evolution) travels in {@code customProperties} whose names start
 * with {@code sluice}; a rule Sluice cannot hold (a library metric other than its own, free SQL) is
 * listed in the import's notes, never dropped silently.
 */
public final class OdcsContracts {
  /** The ODCS release written. */
  public static final String API_VERSION = "v3.1.0";

  private static final String ENFORCED = "sluiceEnforced";
  private static final String EVOLUTION = "sluiceEvolution";
  private static final String GRAIN = "sluiceGrain";
  private static final String CONSTRAINT = "sluiceConstraint";
  private static final String OWNER = "sluiceOwner";
  private static final String KIND = "sluiceAssetKind";
  private static final Set<String> TOP_KEYS =
      Set.of(
          "apiVersion",
          "kind",
          "id",
          "name",
          "version",
          "status",
          "description",
          "schema",
          "customProperties");

  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  private OdcsContracts() {}

  /** What an import gives: Sluice's properties YAML and what of the document it could not keep. */
  public record Imported(String name, String yaml, List<String> notes) {
    public Imported {
      notes = List.copyOf(notes);
    }
  }

  /**
   * The contract of {@code asset} as an ODCS v3 YAML document.
   *
   * @throws InvalidInputException when the asset declares no contract
   */
  public static String export(Project project, Asset asset) {
    return toYaml(document(project, asset));
  }

  /** A document (of {@link #document}) as YAML. */
  public static String toYaml(Map<String, Object> document) {
    try {
      return YAML.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the contract " + document.get("name"), e);
    }
  }

  /**
   * The contract of {@code asset} as an ODCS v3 document of plain maps and lists.
   *
   * @throws InvalidInputException when the asset declares no contract
   */
  public static Map<String, Object> document(Project project, Asset asset) {
    AssetDefinition definition = asset.definition();
    ContractDef contract = definition.contract();
    if (contract == null) {
      throw new InvalidInputException(
          "The "
              + kindOf(asset)
              + " "
              + asset.name()
              + " declares no contract: add 'contract: {enforced: true}' and its columns' types to"
              + " its properties");
    }
    String description = null;
    String owner = null;
    if (definition instanceof ModelDef model) {
      description = model.description();
      owner = model.owner();
    } else if (definition instanceof SourceTableDef table) {
      description = table.description();
      owner = table.owner();
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("apiVersion", API_VERSION);
    document.put("kind", "DataContract");
    document.put("id", project.config().name() + "." + definition.tableName());
    document.put("name", asset.name());
    document.put("version", "1.0.0");
    document.put("status", "active");
    if (description != null) {
      document.put("description", Map.of("purpose", description));
    }
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("name", asset.name());
    object.put("physicalName", definition.tableName().toString());
    object.put("physicalType", "table");
    object.put("logicalType", "object");
    if (description != null) {
      object.put("description", description);
    }
    if (!contract.grain().isEmpty()) {
      object.put(
          "dataGranularityDescription", "One row per " + String.join(", ", contract.grain()));
    }
    List<String> primaryKey = contract.primaryKey();
    List<Object> properties = new ArrayList<>();
    for (ColumnDef column : definition.columns()) {
      properties.add(property(column, contract, primaryKey));
    }
    object.put("properties", properties);
    List<Object> quality = new ArrayList<>();
    for (Constraint constraint : contract.constraints()) {
      if (!onProperty(constraint, primaryKey)
          && !(constraint.type() == ConstraintType.CHECK && constraint.columns().size() == 1)) {
        quality.add(rule(constraint, definition.tableName().toString()));
      }
    }
    if (!contract.grain().isEmpty()) {
      Map<String, Object> grain = new LinkedHashMap<>();
      grain.put("name", "grain");
      grain.put("type", "library");
      grain.put("metric", "duplicateValues");
      grain.put("arguments", Map.of("properties", contract.grain()));
      grain.put("mustBe", 0);
      grain.put("description", "One row per " + String.join(", ", contract.grain()));
      quality.add(grain);
      object.put("customProperties", List.of(custom(GRAIN, contract.grain())));
    }
    if (!quality.isEmpty()) {
      object.put("quality", quality);
    }
    document.put("schema", List.of(object));
    List<Object> custom = new ArrayList<>();
    custom.add(custom(KIND, kindOf(asset)));
    custom.add(custom(ENFORCED, contract.enforced()));
    custom.add(custom(EVOLUTION, contract.evolution().label()));
    if (owner != null) {
      custom.add(custom(OWNER, owner));
    }
    document.put("customProperties", custom);
    return document;
  }

  private static Map<String, Object> property(
      ColumnDef column, ContractDef contract, List<String> primaryKey) {
    Map<String, Object> property = new LinkedHashMap<>();
    property.put("name", column.name());
    Optional<Type> type = column.icebergType();
    property.put("logicalType", type.map(OdcsContracts::logicalType).orElse("string"));
    if (column.type() != null) {
      property.put("physicalType", column.type());
    }
    property.put("required", contract.requires(column.name()));
    property.put("unique", contract.unique(column.name()));
    int position = indexOf(primaryKey, column.name());
    property.put("primaryKey", position >= 0);
    if (position >= 0) {
      property.put("primaryKeyPosition", position + 1);
    }
    if (column.description() != null) {
      property.put("description", column.description());
    }
    if (column.classification() != null && !column.classification().tags().isEmpty()) {
      property.put("tags", column.classification().tags());
    }
    List<Object> quality = new ArrayList<>();
    for (Constraint constraint : contract.constraints()) {
      if (constraint.type() == ConstraintType.CHECK && constraint.isOn(column.name())) {
        quality.add(rule(constraint, null));
      }
    }
    if (!quality.isEmpty()) {
      property.put("quality", quality);
    }
    return property;
  }

  /** Whether the property flags hold the constraint: one column's not_null or unique, the key. */
  private static boolean onProperty(Constraint constraint, List<String> primaryKey) {
    return switch (constraint.type()) {
      case NOT_NULL -> true;
      case UNIQUE -> constraint.columns().size() == 1;
      case PRIMARY_KEY -> constraint.columns().equals(primaryKey);
      case CHECK -> false;
    };
  }

  /** A constraint as an ODCS quality rule: SQL any engine runs, and Sluice's own form. */
  private static Map<String, Object> rule(Constraint constraint, String table) {
    Map<String, Object> rule = new LinkedHashMap<>();
    Map<String, Object> sluice = new LinkedHashMap<>();
    sluice.put("type", constraint.type().label());
    if (constraint.type() == ConstraintType.CHECK) {
      rule.put("name", constraint.name() != null ? constraint.name() : "check");
      rule.put("type", "sql");
      rule.put("description", "Every row satisfies: " + constraint.expression());
      rule.put(
          "query",
          "SELECT count(*) FROM "
              + (table == null ? "${object}" : table)
              + " WHERE NOT ("
              + constraint.expression()
              + ")");
      rule.put("mustBe", 0);
      sluice.put("expression", constraint.expression());
      if (constraint.name() != null) {
        sluice.put("name", constraint.name());
      }
    } else {
      rule.put("name", constraint.type().label() + "_" + String.join("_", constraint.columns()));
      rule.put("type", "library");
      rule.put("metric", "duplicateValues");
      rule.put("arguments", Map.of("properties", constraint.columns()));
      rule.put("mustBe", 0);
      sluice.put("columns", constraint.columns());
    }
    if (!constraint.columns().isEmpty() && constraint.type() == ConstraintType.CHECK) {
      sluice.put("columns", constraint.columns());
    }
    rule.put("customProperties", List.of(custom(CONSTRAINT, sluice)));
    return rule;
  }

  private static Map<String, Object> custom(String property, Object value) {
    Map<String, Object> custom = new LinkedHashMap<>();
    custom.put("property", property);
    custom.put("value", value);
    return custom;
  }

  private static String logicalType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "boolean";
      case INTEGER, LONG -> "integer";
      case FLOAT, DOUBLE, DECIMAL -> "number";
      case DATE -> "date";
      case TIME -> "time";
      case TIMESTAMP, TIMESTAMP_NANO -> "timestamp";
      case STRUCT, MAP -> "object";
      case LIST -> "array";
      default -> "string";
    };
  }

  /** A Sluice type for an ODCS property without a {@code physicalType} Sluice reads. */
  private static String typeOf(String logicalType) {
    return switch (logicalType == null ? "string" : logicalType) {
      case "boolean" -> "boolean";
      case "integer" -> "bigint";
      case "number" -> "double";
      case "date" -> "date";
      case "time" -> "time";
      case "timestamp" -> "timestamptz";
      default -> "varchar";
    };
  }

  private static int indexOf(List<String> columns, String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).equalsIgnoreCase(column)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads an ODCS v3 document into Sluice's properties YAML: {@code models:} with one model, or,
   * for a source table's contract, the table entry to put under a source's {@code tables:}.
   *
   * @param root the directory {@code file} is named relative to in messages
   * @throws ProjectException naming the file and line of what is not an ODCS v3 data contract
   */
  public static Imported importContract(Path root, Path file) {
    Problems problems = new Problems();
    Optional<Node> node = YamlFiles.read(root, file, problems);
    String name = YamlFiles.relative(root, file);
    Imported imported = node.flatMap(n -> read(name, n, problems)).orElse(null);
    problems.throwIfAny();
    if (imported == null) {
      throw new ProjectException(Location.of(name), "Not an ODCS data contract", "");
    }
    return imported;
  }

  private static Optional<Imported> read(String file, Node node, Problems problems) {
    Optional<YamlMap> maybeDocument =
        YamlMap.lenient(file, node, "an ODCS data contract", TOP_KEYS, problems);
    if (maybeDocument.isEmpty()) {
      return Optional.empty();
    }
    YamlMap document = maybeDocument.get();
    String kind = document.string("kind");
    if (!"DataContract".equals(kind)) {
      problems.add(
          document.has("kind") ? document.location("kind") : document.location(),
          "Not an ODCS data contract: kind is " + (kind == null ? "missing" : "'" + kind + "'"),
          "an ODCS v3 document has 'kind: DataContract' and 'apiVersion: v3.x.x'");
      return Optional.empty();
    }
    String apiVersion = document.string("apiVersion");
    if (apiVersion == null || !apiVersion.startsWith("v3.")) {
      problems.add(
          document.has("apiVersion") ? document.location("apiVersion") : document.location(),
          "Unsupported ODCS apiVersion "
              + (apiVersion == null ? "(missing)" : "'" + apiVersion + "'"),
          "Sluice reads ODCS v3 (apiVersion: v3.0.x or v3.1.x)");
      return Optional.empty();
    }
    List<Node> objects = document.list("schema");
    if (objects.size() != 1) {
      problems.add(
          document.has("schema") ? document.location("schema") : document.location(),
          "The contract describes "
              + objects.size()
              + " schema objects; Sluice imports one table a contract",
          "split it into one contract a table");
      return Optional.empty();
    }
    Map<String, Object> custom = customProperties(document);
    Optional<YamlMap> maybeObject =
        YamlMap.lenient(
            file,
            objects.get(0),
            "a schema object",
            Set.of("name", "description", "properties", "quality", "customProperties"),
            problems);
    if (maybeObject.isEmpty()) {
      return Optional.empty();
    }
    YamlMap object = maybeObject.get();
    String name = object.requiredString("name", "give the schema object the table's name");
    if (name == null) {
      return Optional.empty();
    }
    List<String> notes = new ArrayList<>();
    Map<String, Object> objectCustom = customProperties(object);
    Map<String, Object> contract = new LinkedHashMap<>();
    contract.put("enforced", !Boolean.FALSE.equals(custom.get(ENFORCED)));
    Object evolution = custom.get(EVOLUTION);
    contract.put("evolution", evolution == null ? "none" : String.valueOf(evolution));
    if (objectCustom.get(GRAIN) instanceof List<?> grain) {
      contract.put("grain", grain);
    }
    List<Object> tableConstraints = new ArrayList<>();
    Map<String, List<Object>> columnConstraints = new LinkedHashMap<>();
    List<Map<String, Object>> columns = new ArrayList<>();
    Map<Integer, String> primaryKey = new java.util.TreeMap<>();
    for (Node propertyNode : object.list("properties")) {
      Optional<YamlMap> maybeProperty =
          YamlMap.lenient(
              file,
              propertyNode,
              "a property of " + name,
              Set.of(
                  "name",
                  "logicalType",
                  "physicalType",
                  "required",
                  "unique",
                  "primaryKey",
                  "primaryKeyPosition",
                  "description",
                  "tags",
                  "quality"),
              problems);
      if (maybeProperty.isEmpty()) {
        continue;
      }
      YamlMap property = maybeProperty.get();
      String column = property.requiredString("name", "give every property its column's name");
      if (column == null) {
        continue;
      }
      Map<String, Object> columnYaml = new LinkedHashMap<>();
      columnYaml.put("name", column);
      columnYaml.put("type", type(property, notes));
      if (property.string("description") != null) {
        columnYaml.put("description", property.string("description"));
      }
      if (property.has("tags")) {
        columnYaml.put("classification", property.stringList("tags"));
      }
      List<Object> constraints = new ArrayList<>();
      boolean key = Boolean.TRUE.equals(property.bool("primaryKey", false));
      if (key) {
        primaryKey.put(property.integer("primaryKeyPosition", primaryKey.size() + 1), column);
      }
      if (Boolean.TRUE.equals(property.bool("required", false)) && !key) {
        constraints.add("not_null");
      }
      if (Boolean.TRUE.equals(property.bool("unique", false)) && !key) {
        constraints.add("unique");
      }
      for (Node rule : property.list("quality")) {
        constraintOf(file, rule, column, notes, problems).ifPresent(constraints::add);
      }
      columnConstraints.put(column, constraints);
      columns.add(columnYaml);
    }
    if (primaryKey.size() == 1) {
      columnConstraints.get(primaryKey.values().iterator().next()).add(0, "primary_key");
    } else if (primaryKey.size() > 1) {
      Map<String, Object> constraint = new LinkedHashMap<>();
      constraint.put("type", "primary_key");
      constraint.put("columns", List.copyOf(primaryKey.values()));
      tableConstraints.add(constraint);
    }
    for (Node rule : object.list("quality")) {
      constraintOf(file, rule, null, notes, problems).ifPresent(tableConstraints::add);
    }
    if (!tableConstraints.isEmpty()) {
      contract.put("constraints", tableConstraints);
    }
    for (Map<String, Object> column : columns) {
      List<Object> constraints = columnConstraints.get(String.valueOf(column.get("name")));
      if (constraints != null && !constraints.isEmpty()) {
        column.put("constraints", constraints);
      }
    }
    Map<String, Object> asset = new LinkedHashMap<>();
    asset.put("name", name);
    String purpose = description(document);
    if (purpose != null) {
      asset.put("description", purpose);
    }
    if (custom.get(OWNER) != null) {
      asset.put("owner", String.valueOf(custom.get(OWNER)));
    }
    asset.put("contract", contract);
    asset.put("columns", columns);
    boolean sourceTable = "source table".equals(custom.get(KIND));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put(sourceTable ? "tables" : "models", List.of(asset));
    try {
      return Optional.of(new Imported(name, YAML.writeValueAsString(root), notes));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the properties of " + name, e);
    }
  }

  private static String type(YamlMap property, List<String> notes) {
    String physical = property.string("physicalType");
    if (physical != null) {
      try {
        ColumnTypes.parse(physical, property.location("physicalType"));
        return physical;
      } catch (ProjectException e) {
        notes.add(
            property.location("physicalType")
                + ": physicalType '"
                + physical
                + "' is no Sluice type; the column is typed from its logicalType");
      }
    }
    return typeOf(property.string("logicalType"));
  }

  /** A quality rule as a constraint, when it is one Sluice holds; else a note. */
  private static Optional<Object> constraintOf(
      String file, Node node, String column, List<String> notes, Problems problems) {
    Optional<YamlMap> maybeRule =
        YamlMap.lenient(file, node, "a quality rule", Set.of("name", "customProperties"), problems);
    if (maybeRule.isEmpty()) {
      return Optional.empty();
    }
    YamlMap rule = maybeRule.get();
    if (rule.string("name") != null && rule.string("name").equals("grain")) {
      // the grain travels as a custom property of the object
      return Optional.empty();
    }
    Object sluice = customProperties(rule).get(CONSTRAINT);
    if (!(sluice instanceof Map<?, ?> map)) {
      notes.add(
          rule.location()
              + ": quality rule "
              + (rule.string("name") == null ? "" : "'" + rule.string("name") + "' ")
              + "is not one Sluice holds as a constraint (not_null, unique, primary_key, check);"
              + " not imported: add it as a check if you need it");
      return Optional.empty();
    }
    Map<String, Object> constraint = new LinkedHashMap<>();
    map.forEach((key, value) -> constraint.put(String.valueOf(key), value));
    if (column != null && List.of(column).equals(constraint.get("columns"))) {
      constraint.remove("columns");
    }
    return Optional.of(constraint);
  }

  private static String description(YamlMap document) {
    Optional<Node> node = document.node("description");
    if (node.isEmpty()) {
      return null;
    }
    Object value = YamlFiles.toJava(node.get());
    if (value instanceof Map<?, ?> map && map.get("purpose") != null) {
      return String.valueOf(map.get("purpose"));
    }
    return value instanceof String text ? text : null;
  }

  /** The {@code customProperties} of a map, by property name. */
  private static Map<String, Object> customProperties(YamlMap map) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (Node node : map.list("customProperties")) {
      if (YamlFiles.toJava(node) instanceof Map<?, ?> entry && entry.get("property") != null) {
        properties.put(String.valueOf(entry.get("property")), entry.get("value"));
      }
    }
    return properties;
  }

  /** The kind of an asset as messages and exports name it. */
  private static String kindOf(Asset asset) {
    return asset.map(model -> "model", seed -> "seed", table -> "source table");
  }
}
