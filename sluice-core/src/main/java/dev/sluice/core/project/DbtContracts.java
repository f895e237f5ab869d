package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.core.project.ContractDef.Constraint;
import dev.sluice.core.project.ContractDef.ConstraintType;
import dev.sluice.core.project.ContractDef.DataType;
import dev.sluice.core.project.DbtConfigTree.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dbt model's enforced contract ({@code contract: {enforced: true}} in its config) as Sluice's
 * {@link ContractDef}, held as dbt-duckdb holds it: before anything is written, the model's SQL
 * must give exactly the columns its properties declare, each of its {@code data_type} ({@link
 * ContractDef#dataTypes()}); the table has the declared columns in the declared order; the
 * constraints DuckDB enforces ({@code not_null}, {@code unique}, {@code primary_key}, {@code
 * check}) become the contract's blocking checks, so rows that break one are never published. A
 * view's columns are held, and its constraints ignored with dbt's warning; an ephemeral model's
 * contract is not held, as in dbt.
 *
 * <p>What dbt refuses, and what Sluice cannot hold as dbt-duckdb does, is a problem at its line: a
 * column without a {@code data_type}, a contract without columns, an incremental model whose {@code
 * on_schema_change} is not {@code append_new_columns} or {@code fail}, a {@code check} without an
 * expression, a constraint on a column the properties do not declare, a {@code foreign_key} without
 * what it references, and {@code custom} constraints. A {@code foreign_key} is a blocking check
 * that reads the referenced model, which is built first ({@link #foreignKeys}).
 */
final class DbtContracts {
  private static final Logger LOG = LoggerFactory.getLogger(DbtContracts.class);

  /**
   * A {@code data_type} Sluice puts into SQL ({@code cast(null as <data_type>)}, as dbt does): type
   * names with their parameters, nothing that ends or comments out a statement.
   */
  private static final Pattern DATA_TYPE = Pattern.compile("[A-Za-z_][A-Za-z0-9_ ,()\\[\\]<>]*");

  private static final Set<String> ON_SCHEMA_CHANGE = Set.of("append_new_columns", "fail");

  private DbtContracts() {}

  /**
   * The contract of a dbt model, or null when its config does not enforce one (or it is ephemeral,
   * which dbt does not hold to its contract).
   *
   * @param settings the model's config, from dbt_project.yml, its properties and {@code config()}
   * @param declared what its properties declare (columns' data types and constraints), or null
   * @param columns its properties' columns, for their lines
   */
  static ContractDef contract(
      String model,
      Materialization materialization,
      Map<String, Setting> settings,
      DbtProperties.Declared declared,
      List<ColumnDef> columns,
      Problems problems) {
    Setting contract = settings.get("contract");
    if (contract == null
        || !(contract.value() instanceof Map<?, ?> map)
        || !Boolean.TRUE.equals(map.get("enforced"))) {
      return null;
    }
    boolean constrained =
        materialization == Materialization.TABLE || materialization == Materialization.INCREMENTAL;
    if (materialization == Materialization.EPHEMERAL) {
      warnOfConstraints(model, "ephemeral", declared);
      return null;
    }
    if (!constrained) {
      warnOfConstraints(model, "view", declared);
    }
    if (materialization == Materialization.INCREMENTAL) {
      Setting onSchemaChange = settings.get("on_schema_change");
      String value =
          onSchemaChange == null || onSchemaChange.value() == null
              ? "ignore"
              : String.valueOf(onSchemaChange.value());
      if (!ON_SCHEMA_CHANGE.contains(value)) {
        problems.add(
            onSchemaChange == null ? contract.location() : onSchemaChange.location(),
            "Invalid value for on_schema_change: "
                + value
                + ". Models materialized as incremental with contracts enabled must set"
                + " on_schema_change to 'append_new_columns' or 'fail' (model '"
                + model
                + "')",
            "set on_schema_change: append_new_columns (or fail), as dbt requires");
      }
    }
    Map<String, Location> lines = new LinkedHashMap<>();
    columns.forEach(column -> lines.put(column.name(), column.location()));
    Map<String, DbtProperties.DeclaredColumn> declaredColumns =
        declared == null ? Map.of() : declared.columns();
    if (declaredColumns.isEmpty()) {
      problems.add(
          contract.location(),
          "The enforced contract of model '"
              + model
              + "' declares no columns (dbt: This model has an enforced contract, and its"
              + " 'columns' specification is missing)",
          "declare each column the model gives, with its data_type, in the model's properties:"
              + " columns: [{name: id, data_type: integer}, ...]");
      return null;
    }
    List<DataType> dataTypes = new ArrayList<>();
    List<Constraint> constraints = new ArrayList<>();
    for (Map.Entry<String, DbtProperties.DeclaredColumn> entry : declaredColumns.entrySet()) {
      String column = entry.getKey();
      Location line = lines.getOrDefault(column, contract.location());
      String dataType = entry.getValue().dataType();
      if (dataType == null || dataType.isBlank()) {
        problems.add(
            line,
            "Contracted models require data_type to be defined for each column: column '"
                + column
                + "' of model '"
                + model
                + "' has none",
            "give it the type the model's SQL gives it, e.g. data_type: integer");
      } else if (!DATA_TYPE.matcher(dataType.strip()).matches()) {
        problems.add(
            line,
            "The data_type '" + dataType + "' of column '" + column + "' is not a type name",
            "write a DuckDB type, e.g. integer, varchar, decimal(10,2), timestamp");
      } else {
        dataTypes.add(new DataType(column, dataType.strip(), line));
      }
      if (constrained) {
        for (Map<String, Object> constraint : entry.getValue().constraints()) {
          constraint(model, List.of(column), constraint, line, Set.of(), problems)
              .ifPresent(constraints::add);
        }
      }
    }
    if (constrained && declared != null) {
      for (Map<String, Object> constraint : declared.constraints()) {
        constraint(
                model,
                null,
                constraint,
                contract.location(),
                lowerCase(declaredColumns.keySet()),
                problems)
            .ifPresent(constraints::add);
      }
    }
    return new ContractDef(
        true, ContractDef.Evolution.NONE, List.of(), constraints, contract.location(), dataTypes);
  }

  /**
   * One of dbt's constraints as Sluice's.
   *
   * @param column the column of a column's constraint, or null for a model's (whose {@code
   *     columns:} it names)
   * @param declared the model's declared columns, in lower case, which a model's constraint names
   */
  private static java.util.Optional<Constraint> constraint(
      String model,
      List<String> column,
      Map<String, Object> constraint,
      Location location,
      Set<String> declared,
      Problems problems) {
    String type = String.valueOf(constraint.get("type"));
    String name = constraint.get("name") == null ? null : String.valueOf(constraint.get("name"));
    String what = "The " + type + " constraint of model '" + model + "'";
    List<String> columns = column;
    if (columns == null) {
      columns = new ArrayList<>();
      for (Object named : DbtConfigTree.asList(constraint.get("columns"))) {
        String text = String.valueOf(named);
        if (!declared.contains(text.toLowerCase(Locale.ROOT))) {
          problems.add(
              location,
              what + " names column '" + text + "', which its properties do not declare",
              "declare the column, or name one of the model's columns");
          return java.util.Optional.empty();
        }
        columns.add(text);
      }
    }
    switch (type) {
      case "not_null", "unique", "primary_key" -> {
        if (columns.isEmpty()) {
          problems.add(
              location,
              what + " names no columns",
              "give the model's constraint its columns: {type: " + type + ", columns: [id]}");
          return java.util.Optional.empty();
        }
        ConstraintType kind =
            switch (type) {
              case "not_null" -> ConstraintType.NOT_NULL;
              case "unique" -> ConstraintType.UNIQUE;
              default -> ConstraintType.PRIMARY_KEY;
            };
        return java.util.Optional.of(new Constraint(kind, columns, null, name, location));
      }
      case "check" -> {
        Object expression = constraint.get("expression");
        if (expression == null || String.valueOf(expression).isBlank()) {
          problems.add(
              location,
              what + " has no expression",
              "write the condition every row meets: {type: check, expression: \"id > 0\"}");
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(
            new Constraint(
                ConstraintType.CHECK,
                column == null ? List.of() : column,
                String.valueOf(expression),
                name,
                location));
      }
      case "foreign_key" -> {
        // held by a check of its own (foreignKeys), which reads the referenced model
        return java.util.Optional.empty();
      }
      default -> {
        // custom: DuckDB would take it as the table's DDL, which Iceberg has no place for
        problems.add(
            location,
            what + " is not supported by Sluice yet (dbt-duckdb writes it into the table's DDL)",
            "write it as a check constraint or a data test");
        return java.util.Optional.empty();
      }
    }
  }

  /**
   * A {@code foreign_key} constraint of an enforced contract: the blocking check that every row's
   * key is a key of the referenced model (or source table), which the model reads, so that it is
   * built first (dbt adds the reference to the model's refs, dbt-core's {@code
   * _process_constraints_refs_and_sources}).
   *
   * @param reference the {@code ref()} or {@code source()} of {@code to}, with the constraint's
   *     line
   * @param check the contract's check, {@code contract:foreign_key(<columns>)}
   */
  record ForeignKey(DbtResources.Reference reference, CheckDef check) {}

  /** {@code to: ref('orders')} or the older {@code expression: orders (id)}. */
  private static final Pattern COMMA = Pattern.compile(",");

  private static final Pattern REFERENCES_EXPRESSION =
      Pattern.compile(
          "\\s*(?:references\\s+)?([A-Za-z_][A-Za-z0-9_.\"]*)\\s*\\(([^)]*)\\)\\s*",
          Pattern.CASE_INSENSITIVE);

  /**
   * The {@code foreign_key} constraints of a model's enforced contract (of a table or incremental
   * model: a view's and an ephemeral model's constraints are not held), as checks; each one that
   * does not say what it references is a problem at its line.
   */
  static List<ForeignKey> foreignKeys(
      String model,
      Materialization materialization,
      Map<String, Setting> settings,
      DbtProperties.Declared declared,
      List<ColumnDef> columns,
      Problems problems) {
    Setting contract = settings.get("contract");
    if (declared == null
        || contract == null
        || !(contract.value() instanceof Map<?, ?> map)
        || !Boolean.TRUE.equals(map.get("enforced"))
        || (materialization != Materialization.TABLE
            && materialization != Materialization.INCREMENTAL)) {
      return List.of();
    }
    Map<String, Location> lines = new LinkedHashMap<>();
    columns.forEach(column -> lines.put(column.name(), column.location()));
    List<ForeignKey> keys = new ArrayList<>();
    declared
        .columns()
        .forEach(
            (column, declaredColumn) -> {
              for (Map<String, Object> constraint : declaredColumn.constraints()) {
                foreignKey(
                        model,
                        List.of(column),
                        constraint,
                        lines.getOrDefault(column, contract.location()),
                        problems)
                    .ifPresent(keys::add);
              }
            });
    for (Map<String, Object> constraint : declared.constraints()) {
      List<String> named = new ArrayList<>();
      DbtConfigTree.asList(constraint.get("columns")).forEach(c -> named.add(String.valueOf(c)));
      foreignKey(model, named, constraint, contract.location(), problems).ifPresent(keys::add);
    }
    return keys;
  }

  private static java.util.Optional<ForeignKey> foreignKey(
      String model,
      List<String> columns,
      Map<String, Object> constraint,
      Location location,
      Problems problems) {
    if (!"foreign_key".equals(String.valueOf(constraint.get("type")))) {
      return java.util.Optional.empty();
    }
    String what = "The foreign_key constraint of model '" + model + "'";
    String example =
        "write e.g. {type: foreign_key, to: ref('customers'), to_columns: [id]}, as dbt 1.9 does";
    Object to = constraint.get("to");
    List<String> toColumns = new ArrayList<>();
    DbtConfigTree.asList(constraint.get("to_columns"))
        .forEach(c -> toColumns.add(String.valueOf(c)));
    String relation;
    if (to != null) {
      relation = String.valueOf(to).strip();
    } else if (constraint.get("expression") != null) {
      // dbt before 1.9: the text after 'references' in the DDL, 'customers (id)'
      java.util.regex.Matcher matcher =
          REFERENCES_EXPRESSION.matcher(String.valueOf(constraint.get("expression")));
      if (!matcher.matches()) {
        problems.add(
            location,
            what
                + " has expression '"
                + constraint.get("expression")
                + "', which is not <model> (<columns>)",
            example);
        return java.util.Optional.empty();
      }
      String referenced = matcher.group(1).replace("\"", "");
      relation = "ref('" + referenced.substring(referenced.lastIndexOf('.') + 1) + "')";
      for (String column : COMMA.split(matcher.group(2), -1)) {
        if (!column.isBlank()) {
          toColumns.add(column.strip().replace("\"", ""));
        }
      }
    } else {
      problems.add(location, what + " says not what it references: it has no 'to'", example);
      return java.util.Optional.empty();
    }
    java.util.Optional<DbtResources.Reference> reference =
        DbtResources.reference(relation, location).filter(found -> !found.kind().equals("metric"));
    if (reference.isEmpty()) {
      problems.add(
          location,
          what
              + " has to: "
              + relation
              + ", which is not ref('model') or source('source', 'table') (dbt: Invalid 'ref' or"
              + " 'source' syntax on foreign key constraint 'to')",
          example);
      return java.util.Optional.empty();
    }
    if (columns.isEmpty() || toColumns.size() != columns.size()) {
      problems.add(
          location,
          what
              + " references "
              + toColumns.size()
              + " column(s) ("
              + String.join(", ", toColumns)
              + ") for "
              + columns.size()
              + " ("
              + String.join(", ", columns)
              + ")",
          "give to_columns one referenced column for each column of the key");
      return java.util.Optional.empty();
    }
    StringBuilder present = new StringBuilder();
    StringBuilder matches = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      String column = dev.sluice.api.TableName.quote(columns.get(i));
      present.append(i == 0 ? "" : " and ").append("child.").append(column).append(" is not null");
      matches
          .append(i == 0 ? "" : " and ")
          .append("parent.")
          .append(dev.sluice.api.TableName.quote(toColumns.get(i)))
          .append(" = child.")
          .append(column);
    }
    // as DuckDB's foreign key: a key with a null is not checked, any other must be referenced
    String query =
        "select child.* from {{ this }} as child where "
            + present
            + " and not exists (select 1 from {{ "
            + relation
            + " }} as parent where "
            + matches
            + ")";
    String name =
        ContractDef.CHECK_PREFIX
            + "foreign_key("
            + (constraint.get("name") != null
                ? String.valueOf(constraint.get("name"))
                : String.join(", ", columns))
            + ")";
    return java.util.Optional.of(
        new ForeignKey(
            reference.get(),
            new CheckDef("sql", name, null, Map.of("query", query), Severity.ERROR, location)));
  }

  /** dbt's warning for constraints a materialization cannot hold, which it ignores. */
  private static void warnOfConstraints(
      String model, String materialized, DbtProperties.Declared declared) {
    if (declared == null) {
      return;
    }
    boolean any =
        !declared.constraints().isEmpty()
            || declared.columns().values().stream().anyMatch(c -> !c.constraints().isEmpty());
    if (any) {
      LOG.warn(
          "Model {}: Constraint types are not supported for {} materializations and will be"
              + " ignored.",
          model,
          materialized);
    }
  }

  private static Set<String> lowerCase(Set<String> names) {
    Set<String> lower = new java.util.HashSet<>();
    names.forEach(name -> lower.add(name.toLowerCase(Locale.ROOT)));
    return lower;
  }
}
