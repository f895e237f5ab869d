package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.core.project.ContractDef.Constraint;
import dev.sluice.core.project.ContractDef.ConstraintType;
import dev.sluice.core.project.ContractDef.Evolution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code contract:} of a model or source table and the {@code constraints:} of its
 * columns, as dbt writes them ({@code - not_null}, {@code - type: check, expression: "..."}), and
 * reports what an enforced contract cannot hold: a column without a type, a constraint or grain of
 * a column that is not declared.
 */
final class ContractParser {
  static final String KEY = "contract";
  static final String CONSTRAINTS = "constraints";
  private static final Set<String> CONTRACT_KEYS =
      Set.of("enforced", "evolution", "grain", CONSTRAINTS);
  private static final Set<String> CONSTRAINT_KEYS =
      Set.of("type", "columns", "expression", "name");
  private static final List<String> TYPES =
      Arrays.stream(ConstraintType.values()).map(ConstraintType::label).toList();
  private static final String EXAMPLE =
      "e.g. constraints: [not_null, unique] or constraints: [{type: check, expression: \"amount >="
          + " 0\"}]";

  private ContractParser() {}

  /**
   * The contract of {@code owner} (a model's properties or a source table), or empty when it has
   * none; reports constraints on columns without a contract.
   *
   * @param columns the owner's columns as read by {@link ChecksParser#columns}
   */
  static Optional<ContractDef> parse(YamlMap owner, String what, List<ColumnDef> columns) {
    List<Constraint> constraints = new ArrayList<>();
    for (Node node : owner.list("columns")) {
      columnConstraints(owner, node, what, constraints);
    }
    if (!owner.has(KEY)) {
      if (!constraints.isEmpty()) {
        owner
            .problems()
            .add(
                constraints.get(0).location(),
                "Column constraints of " + what + " without a contract",
                "constraints are part of a contract: add 'contract: {enforced: true}' to "
                    + what
                    + ", or make them checks ('checks: [not_null]')");
      }
      return Optional.empty();
    }
    Optional<YamlMap> maybeContract = owner.map(KEY, "the contract of " + what, CONTRACT_KEYS);
    if (maybeContract.isEmpty()) {
      return Optional.empty();
    }
    YamlMap contract = maybeContract.get();
    boolean enforced = contract.bool("enforced", true);
    Evolution evolution = evolution(contract);
    for (Node node : contract.list(CONSTRAINTS)) {
      constraint(contract, node, what, null).ifPresent(constraints::add);
    }
    List<String> grain = contract.stringList("grain");
    ContractDef def =
        new ContractDef(
            enforced,
            evolution == null ? Evolution.NONE : evolution,
            grain,
            constraints,
            owner.keyLocation(KEY));
    validate(contract, def, what, columns);
    return Optional.of(def);
  }

  private static Evolution evolution(YamlMap contract) {
    String text = contract.string("evolution");
    if (text == null) {
      return Evolution.NONE;
    }
    for (Evolution evolution : Evolution.values()) {
      if (evolution.label().equals(text.toLowerCase(Locale.ROOT))) {
        return evolution;
      }
    }
    contract
        .problems()
        .add(
            contract.location("evolution"),
            "Unknown contract evolution '" + text + "'",
            "evolution is 'none' (exactly the declared columns, the default) or 'additive' (new"
                + " columns may be added)");
    return null;
  }

  /** An enforced contract holds typed, declared columns; constraints and grain name them. */
  private static void validate(
      YamlMap contract, ContractDef def, String what, List<ColumnDef> columns) {
    Problems problems = contract.problems();
    if (def.enforced() && columns.isEmpty()) {
      problems.add(
          def.location(),
          "The enforced contract of " + what + " declares no columns",
          "list the columns it promises under 'columns:', each with its type, e.g. '- {name: id,"
              + " type: bigint}'");
    }
    if (def.enforced()) {
      for (ColumnDef column : columns) {
        if (column.type() == null) {
          problems.add(
              column.location(),
              "Column '"
                  + column.name()
                  + "' of "
                  + what
                  + " has no type, but its contract is"
                  + " enforced",
              "declare the type the contract promises, e.g. 'type: bigint'");
        }
      }
    }
    List<String> declared = columns.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    List<String> names = columns.stream().map(ColumnDef::name).toList();
    for (String column : def.grain()) {
      if (!declared.contains(column.toLowerCase(Locale.ROOT))) {
        problems.add(
            contract.location("grain"),
            "The grain of " + what + " names column '" + column + "', which it does not declare",
            Suggestions.hint(column, names, "its columns are"));
      }
    }
    for (Constraint constraint : def.constraints()) {
      for (String column : constraint.columns()) {
        if (!declared.contains(column.toLowerCase(Locale.ROOT))) {
          problems.add(
              constraint.location(),
              "Constraint "
                  + constraint.type().label()
                  + " of "
                  + what
                  + " names column '"
                  + column
                  + "', which it does not declare",
              Suggestions.hint(column, names, "its columns are"));
        }
      }
    }
    if (def.constraints().stream().filter(c -> c.type() == ConstraintType.PRIMARY_KEY).count()
        > 1) {
      problems.add(
          def.location(),
          "The contract of " + what + " declares more than one primary key",
          "declare one, of several columns if need be: '{type: primary_key, columns: [a, b]}'");
    }
  }

  /** The constraints under one column's {@code constraints:}. */
  private static void columnConstraints(
      YamlMap owner, Node columnNode, String what, List<Constraint> into) {
    if (!(columnNode instanceof MappingNode mapping)) {
      return;
    }
    String name = null;
    Node constraints = null;
    for (NodeTuple tuple : mapping.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode key) {
        if (key.getValue().equals("name") && tuple.getValueNode() instanceof ScalarNode value) {
          name = value.getValue();
        } else if (key.getValue().equals(CONSTRAINTS) && !YamlMap.isNull(tuple.getValueNode())) {
          constraints = tuple.getValueNode();
        }
      }
    }
    if (name == null || constraints == null) {
      return;
    }
    if (!(constraints instanceof org.yaml.snakeyaml.nodes.SequenceNode sequence)) {
      owner
          .problems()
          .add(
              YamlFiles.location(owner.file(), constraints),
              "'constraints' of column '"
                  + name
                  + "' must be a list, got "
                  + YamlMap.describe(constraints),
              EXAMPLE);
      return;
    }
    for (Node node : sequence.getValue()) {
      constraint(owner, node, what + " column " + name, name).ifPresent(into::add);
    }
  }

  /**
   * One constraint: a name ({@code not_null}), dbt's map ({@code {type: check, expression: ...}})
   * or {@code {check: EXPRESSION}}.
   *
   * @param column the column it is written under, or null for the contract's own constraints
   */
  private static Optional<Constraint> constraint(
      YamlMap owner, Node node, String what, String column) {
    Problems problems = owner.problems();
    Location location = YamlFiles.location(owner.file(), node);
    if (node instanceof ScalarNode scalar && !YamlMap.isNull(node)) {
      Optional<ConstraintType> type = type(scalar.getValue(), location, problems);
      if (type.isEmpty()) {
        return Optional.empty();
      }
      if (type.get() == ConstraintType.CHECK) {
        problems.add(
            location,
            "Constraint 'check' of " + what + " needs its expression",
            "write '- {type: check, expression: \"amount >= 0\"}'");
        return Optional.empty();
      }
      if (column == null) {
        problems.add(
            location,
            "Constraint '" + scalar.getValue() + "' of " + what + " needs the columns it holds",
            "write '- {type: "
                + scalar.getValue()
                + ", columns: [a, b]}', or put it under a"
                + " column's constraints");
        return Optional.empty();
      }
      return Optional.of(new Constraint(type.get(), List.of(column), null, null, location));
    }
    if (node instanceof MappingNode mapping
        && mapping.getValue().size() == 1
        && mapping.getValue().get(0).getKeyNode() instanceof ScalarNode key
        && key.getValue().equals("check")) {
      Node value = mapping.getValue().get(0).getValueNode();
      if (value instanceof ScalarNode expression && !expression.getValue().isBlank()) {
        return Optional.of(
            new Constraint(
                ConstraintType.CHECK,
                column == null ? List.of() : List.of(column),
                expression.getValue(),
                null,
                location));
      }
      problems.add(location, "'check' of " + what + " must be a SQL expression", EXAMPLE);
      return Optional.empty();
    }
    Optional<YamlMap> maybeMap =
        YamlMap.of(owner.file(), node, "a constraint of " + what, CONSTRAINT_KEYS, problems);
    if (maybeMap.isEmpty()) {
      return Optional.empty();
    }
    YamlMap map = maybeMap.get();
    String typeText = map.requiredString("type", EXAMPLE);
    if (typeText == null) {
      return Optional.empty();
    }
    Optional<ConstraintType> type = type(typeText, map.location("type"), problems);
    if (type.isEmpty()) {
      return Optional.empty();
    }
    List<String> columns = map.has("columns") ? map.stringList("columns") : List.of();
    if (columns.isEmpty() && column != null) {
      columns = List.of(column);
    }
    String expression = map.string("expression");
    if (type.get() == ConstraintType.CHECK) {
      if (expression == null || expression.isBlank()) {
        problems.add(
            map.location(),
            "Constraint 'check' of " + what + " needs 'expression:'",
            "write '- {type: check, expression: \"amount >= 0\"}'");
        return Optional.empty();
      }
    } else {
      if (expression != null) {
        problems.add(
            map.location("expression"),
            "Constraint '" + typeText + "' of " + what + " takes no expression",
            "only 'check' takes one");
        return Optional.empty();
      }
      if (columns.isEmpty()) {
        problems.add(
            map.location(),
            "Constraint '" + typeText + "' of " + what + " needs 'columns:'",
            "write e.g. '- {type: " + typeText + ", columns: [a, b]}'");
        return Optional.empty();
      }
    }
    return Optional.of(
        new Constraint(type.get(), columns, expression, map.string("name"), location));
  }

  private static Optional<ConstraintType> type(String text, Location location, Problems problems) {
    for (ConstraintType type : ConstraintType.values()) {
      if (type.label().equals(text)) {
        return Optional.of(type);
      }
    }
    problems.add(
        location,
        "Unknown constraint '" + text + "'",
        Suggestions.hint(text, TYPES, "constraints are"));
    return Optional.empty();
  }
}
