package dev.sluice.core.run;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.project.ContractDef;
import dev.sluice.core.project.ContractDef.DataType;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Holds a dbt model's output to the columns of its enforced contract ({@link
 * ContractDef#dataTypes()}) as dbt's {@code assert_columns_equivalent} does, before anything is
 * written: the engine's types of the model's columns ({@code select * from (<sql>) limit 0})
 * against the engine's types of the declared ones ({@code select cast(null as <data_type>) as
 * <name>}), by name, with as many columns on both sides; {@code int} and {@code integer} are one
 * type, {@code integer} and {@code bigint} are not. A violation fails with dbt's table of
 * mismatches ({@code column_name}, {@code definition_type}, {@code contract_type}, {@code
 * mismatch_reason}). A table is built with the declared columns in the declared order, as
 * dbt-duckdb's {@code insert into <table> (<columns>) select <columns> from (<sql>)} builds it.
 */
final class DbtContractColumns {
  /** One column and its type, as the engine names it. */
  private record Column(String name, String type) {}

  /** One line of dbt's table of mismatches. */
  private record Mismatch(
      String columnName, String definitionType, String contractType, String reason) {}

  private DbtContractColumns() {}

  /**
   * Checks the model's SQL against its contract's columns.
   *
   * @return the SQL to build: the declared columns in the declared order (a view: {@code sql})
   * @throws DataException with dbt's table of mismatches when the columns violate the contract
   * @throws InvalidInputException when a declared {@code data_type} is not one of the engine's
   */
  static String check(ModelDef model, EngineSession session, String sql) {
    ContractDef contract = model.contract();
    List<Column> given =
        columns(session.query("select * from (" + sql + "\n) as model_subq limit 0", 1));
    List<Column> declared = declared(model, session, contract.dataTypes());
    List<Mismatch> mismatches = mismatches(declared, given);
    if (given.size() != declared.size() || !mismatches.isEmpty()) {
      throw new DataException(
          "Model "
              + model.name()
              + " ("
              + model.sqlFileName()
              + "): This model has an enforced contract that failed.\n"
              + "Please ensure the name, data_type, and number of columns in your contract match"
              + " the columns in your model's definition.\n\n"
              + table(mismatches)
              + "\nNothing was published. Change the SQL to give the declared columns and types,"
              + " or change the contract (at "
              + contract.location()
              + ")");
    }
    if (model.materialization() == Materialization.VIEW) {
      return sql;
    }
    StringJoiner names = new StringJoiner(", ");
    declared.forEach(column -> names.add(TableName.quote(column.name())));
    return "select " + names + " from (" + sql + "\n) as model_subq";
  }

  /** The declared columns with the engine's names of their types. */
  private static List<Column> declared(
      ModelDef model, EngineSession session, List<DataType> dataTypes) {
    try {
      return columns(session.query(emptySelect(dataTypes), 1));
    } catch (QueryException e) {
      // name the column whose type the engine does not know
      for (DataType column : dataTypes) {
        try {
          session.query(emptySelect(List.of(column)), 1);
        } catch (QueryException wrong) {
          throw new InvalidInputException(
              column.location()
                  + ": the data_type '"
                  + column.dataType()
                  + "' of column '"
                  + column.column()
                  + "' in the contract of model "
                  + model.name()
                  + " is not a type the engine knows: "
                  + wrong.getMessage().strip()
                  + ". Write a DuckDB type, e.g. integer, varchar, decimal(10,2)",
              wrong);
        }
      }
      throw e;
    }
  }

  /** dbt's {@code get_empty_schema_sql}: a null of each declared type, named as the column. */
  private static String emptySelect(List<DataType> columns) {
    StringJoiner select = new StringJoiner(", ", "select ", " limit 0");
    for (DataType column : columns) {
      select.add("cast(null as " + column.dataType() + ") as " + TableName.quote(column.column()));
    }
    return select.toString();
  }

  private static List<Column> columns(QueryResult result) {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < result.columns().size(); i++) {
      columns.add(new Column(result.columns().get(i), result.types().get(i)));
    }
    return columns;
  }

  /** dbt's {@code ContractError.get_mismatches}, sorted by column name. */
  private static List<Mismatch> mismatches(List<Column> declared, List<Column> given) {
    List<Mismatch> mismatches = new ArrayList<>();
    Set<String> givenNames = new HashSet<>();
    for (Column column : given) {
      givenNames.add(column.name());
      Column contract =
          declared.stream().filter(c -> c.name().equals(column.name())).findFirst().orElse(null);
      if (contract == null) {
        mismatches.add(new Mismatch(column.name(), column.type(), "", "missing in contract"));
      } else if (!sameType(contract, column)) {
        mismatches.add(
            new Mismatch(column.name(), column.type(), contract.type(), "data type mismatch"));
      }
    }
    for (Column column : declared) {
      if (!givenNames.contains(column.name())) {
        mismatches.add(new Mismatch(column.name(), "", column.type(), "missing in definition"));
      }
    }
    mismatches.sort(Comparator.comparing(Mismatch::columnName));
    return mismatches;
  }

  private static boolean sameType(Column declared, Column given) {
    return declared.type().toLowerCase(Locale.ROOT).equals(given.type().toLowerCase(Locale.ROOT));
  }

  /** The mismatches as agate prints a table, as dbt's message shows them. */
  private static String table(List<Mismatch> mismatches) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("column_name", "definition_type", "contract_type", "mismatch_reason"));
    for (Mismatch mismatch : mismatches) {
      rows.add(
          List.of(
              mismatch.columnName(),
              mismatch.definitionType(),
              mismatch.contractType(),
              mismatch.reason()));
    }
    int[] widths = new int[4];
    for (List<String> row : rows) {
      for (int i = 0; i < 4; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      text.append(line(rows.get(r), widths));
      if (r == 0) {
        List<String> dashes = new ArrayList<>();
        for (int width : widths) {
          dashes.add("-".repeat(width));
        }
        text.append(line(dashes, widths));
      }
    }
    return text.toString();
  }

  private static String line(List<String> cells, int[] widths) {
    StringJoiner line = new StringJoiner(" | ", "| ", " |\n");
    for (int i = 0; i < cells.size(); i++) {
      line.add(String.format(Locale.ROOT, "%-" + widths[i] + "s", cells.get(i)));
    }
    return line.toString();
  }
}
