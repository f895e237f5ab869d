package dev.sluice.core.project;

import dev.sluice.api.TableName;
import dev.sluice.core.project.UnitTestDef.Cell;
import dev.sluice.core.project.UnitTestDef.Given;
import dev.sluice.core.project.UnitTestDef.Input;
import dev.sluice.core.project.UnitTestDef.InputKind;
import dev.sluice.core.project.UnitTestDef.Row;
import dev.sluice.core.project.UnitTestDef.Rows;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.types.Type;

/**
 * Checks the unit tests of a loaded project without running them: each tests a model that exists,
 * gives rows for every input the model reads and for nothing else ({@code this} only for an
 * incremental model), and names only declared columns with values of their declared types, where
 * the inputs and the model declare them. Every problem names the file and line.
 */
final class UnitTestValidator {
  private final Map<String, SourceDef> sources;
  private final Map<String, SeedDef> seeds;
  private final Map<String, ModelDef> models;
  private final Problems problems;
  private final Map<SourceRef, TableName> sourceRelations;

  /** A model template that calls {@code is_incremental()}, which dbt's unit tests must override. */
  private static final java.util.regex.Pattern CALLS_IS_INCREMENTAL =
      java.util.regex.Pattern.compile("\\bis_incremental\\s*\\(");

  private final boolean dbt;

  /**
   * @param sourceRelations a dbt project's source tables read as the warehouse's relations (no
   *     location), whose columns are not declared
   * @param dbt whether the project is a dbt project: a dbt properties file's columns document some
   *     of a table's columns, not all, so given rows may name others (dbt checks them against the
   *     relation when the test runs)
   */
  UnitTestValidator(
      Map<String, SourceDef> sources,
      Map<String, SeedDef> seeds,
      Map<String, ModelDef> models,
      Map<SourceRef, TableName> sourceRelations,
      boolean dbt,
      Problems problems) {
    this.sources = sources;
    this.seeds = seeds;
    this.models = models;
    this.sourceRelations = Map.copyOf(sourceRelations);
    this.dbt = dbt;
    this.problems = problems;
  }

  /** The valid tests by name; the problems of the others are reported. */
  Map<String, UnitTestDef> validate(List<UnitTestDef> tests) {
    Map<String, UnitTestDef> byName = new LinkedHashMap<>();
    for (UnitTestDef test : tests) {
      UnitTestDef previous = byName.putIfAbsent(test.name(), test);
      if (previous != null) {
        problems.add(
            test.location(),
            "Unit test '" + test.name() + "' is declared twice",
            "also at " + previous.location() + "; unit test names must be unique in the project");
        continue;
      }
      validate(test);
    }
    return byName;
  }

  private void validate(UnitTestDef test) {
    String what = "unit test '" + test.name() + "'";
    ModelDef model = models.get(test.model());
    if (model == null) {
      problems.add(
          test.location(),
          "Unit test '"
              + test.name()
              + "' tests model '"
              + test.model()
              + "', which does not exist",
          seeds.containsKey(test.model())
              ? "'" + test.model() + "' is a seed: unit tests test models"
              : Suggestions.hint(test.model(), models.keySet(), "the models are"));
      return;
    }
    if (dbt && CALLS_IS_INCREMENTAL.matcher(model.sqlTemplate()).find()) {
      // dbt's parser requires it, and a 'this' input when it is true
      if (test.incremental() == null) {
        problems.add(
            test.location(),
            "Boolean override for 'is_incremental' must be provided for unit test '"
                + test.name()
                + "' in model '"
                + model.name()
                + "'",
            "add overrides: {macros: {is_incremental: true}} (with rows for '- input: this') or"
                + " {is_incremental: false}");
      } else if (test.incremental() && test.givenThis().isEmpty()) {
        problems.add(
            test.location(),
            "Unit test '"
                + test.name()
                + "' for incremental model '"
                + model.name()
                + "' must have a 'this' input",
            "give the table's existing rows: '- input: this' with rows (rows: [] for none)");
      }
    }
    Set<String> givenInputs = new HashSet<>();
    for (Given given : test.given()) {
      Input input = given.input();
      if (!givenInputs.add(input.text())) {
        problems.add(
            given.location(),
            what + " gives rows for " + input.text() + " twice",
            "merge the two lists of rows");
        continue;
      }
      Optional<List<ColumnDef>> declared = inputColumns(test, model, given);
      declared.ifPresent(
          columns -> checkRows(given.rows(), columns, "the rows given for " + input.text()));
    }
    List<String> missing = new ArrayList<>();
    Set<TableName> relations = new HashSet<>();
    model.sources().stream()
        .map(sourceRelations::get)
        .filter(java.util.Objects::nonNull)
        .forEach(relations::add);
    for (String ref : model.refs()) {
      if (relations.contains(tableOf(ref))) {
        continue; // the asset that builds a source relation: the source's rows stand for it
      }
      if (!givenInputs.contains(new Input(InputKind.REF, ref).text())) {
        missing.add(new Input(InputKind.REF, ref).text());
      }
    }
    for (SourceRef source : model.sources()) {
      if (!givenInputs.contains(new Input(InputKind.SOURCE, source.assetName()).text())) {
        missing.add(new Input(InputKind.SOURCE, source.assetName()).text());
      }
    }
    if (!missing.isEmpty()) {
      problems.add(
          test.location(),
          what
              + " gives no rows for "
              + String.join(", ", missing)
              + ", which model '"
              + model.name()
              + "' reads",
          "add '- input: " + missing.get(0) + "' under given, with 'rows: []' for no rows");
    }
    // the columns a model produces are known before it runs only when a contract holds them;
    // otherwise running the test checks the expect against what the model produced
    if (model.contract() != null && model.contract().enforced() && !model.columns().isEmpty()) {
      checkRows(test.expect(), model.columns(), "the expect of " + what);
    }
  }

  /**
   * The declared columns of a given's input, when they are declared; reports inputs the model does
   * not read.
   */
  private Optional<List<ColumnDef>> inputColumns(UnitTestDef test, ModelDef model, Given given) {
    Input input = given.input();
    String what = "Unit test '" + test.name() + "'";
    switch (input.kind()) {
      case THIS -> {
        if (model.materialization() != Materialization.INCREMENTAL) {
          problems.add(
              given.location(),
              what + " gives rows for 'this', but model '" + model.name() + "' is not incremental",
              "'this' holds the table an incremental model merges into; remove these rows, or"
                  + " make the model incremental");
          return Optional.empty();
        }
        return declared(model.columns());
      }
      case REF -> {
        List<ColumnDef> columns;
        if (models.containsKey(input.name())) {
          columns = models.get(input.name()).columns();
        } else if (seeds.containsKey(input.name())) {
          columns = seeds.get(input.name()).columns();
        } else {
          Set<String> names = new TreeSet<>(models.keySet());
          names.addAll(seeds.keySet());
          problems.add(
              given.location(),
              what + " gives rows for " + input.text() + ", which is no model or seed",
              Suggestions.hint(input.name(), names, "the models and seeds are"));
          return Optional.empty();
        }
        if (!model.refs().contains(input.name())) {
          problems.add(
              given.location(),
              what
                  + " gives rows for "
                  + input.text()
                  + ", which model '"
                  + model.name()
                  + "' does not read",
              inputsHint(model));
          return Optional.empty();
        }
        return declared(columns);
      }
      case SOURCE -> {
        int dot = input.name().indexOf('.');
        SourceDef source = sources.get(input.name().substring(0, dot));
        Optional<SourceTableDef> table =
            source == null ? Optional.empty() : source.table(input.name().substring(dot + 1));
        SourceRef ref =
            new SourceRef(input.name().substring(0, dot), input.name().substring(dot + 1));
        if (table.isEmpty() && sourceRelations.containsKey(ref) && model.sources().contains(ref)) {
          return Optional.empty(); // the warehouse's relation: its columns are not declared
        }
        if (table.isEmpty()) {
          Set<String> names = new TreeSet<>();
          sources.values().forEach(s -> s.tables().forEach(t -> names.add(t.assetName())));
          problems.add(
              given.location(),
              what + " gives rows for " + input.text() + ", which is no source table",
              Suggestions.hint(input.name(), names, "the source tables are"));
          return Optional.empty();
        }
        if (!model.sources().contains(new SourceRef(source.name(), table.get().name()))) {
          problems.add(
              given.location(),
              what
                  + " gives rows for "
                  + input.text()
                  + ", which model '"
                  + model.name()
                  + "' does not read",
              inputsHint(model));
          return Optional.empty();
        }
        return declared(table.get().columns());
      }
      default -> throw new IllegalStateException("Unknown input kind " + input.kind());
    }
  }

  private TableName tableOf(String ref) {
    ModelDef model = models.get(ref);
    if (model != null) {
      return model.tableName();
    }
    SeedDef seed = seeds.get(ref);
    return seed == null ? null : seed.tableName();
  }

  private static String inputsHint(ModelDef model) {
    List<String> inputs = new ArrayList<>();
    model.refs().forEach(ref -> inputs.add(new Input(InputKind.REF, ref).text()));
    model.sources().forEach(s -> inputs.add(new Input(InputKind.SOURCE, s.assetName()).text()));
    return inputs.isEmpty()
        ? "the model reads no ref() or source()"
        : "the model reads " + String.join(", ", inputs);
  }

  private static Optional<List<ColumnDef>> declared(List<ColumnDef> columns) {
    return columns.isEmpty() ? Optional.empty() : Optional.of(columns);
  }

  /** Rows name declared columns only, with values of the declared types. */
  private void checkRows(Rows rows, List<ColumnDef> columns, String what) {
    Map<String, ColumnDef> byName = new LinkedHashMap<>();
    columns.forEach(column -> byName.put(column.name().toLowerCase(Locale.ROOT), column));
    List<String> names = columns.stream().map(ColumnDef::name).toList();
    Set<String> reported = new HashSet<>();
    for (Row row : rows.rows()) {
      for (Map.Entry<String, Cell> cell : row.cells().entrySet()) {
        String column = cell.getKey();
        ColumnDef declared = byName.get(column.toLowerCase(Locale.ROOT));
        if (declared == null) {
          if (!dbt && reported.add(column)) {
            problems.add(
                cell.getValue().location(),
                "Column '" + column + "' in " + what + " is not a column of the table",
                Suggestions.hint(column, names, "its declared columns are"));
          }
          continue;
        }
        Optional<Type> type = UnitTestValues.declaredType(declared);
        if (type.isPresent()) {
          try {
            UnitTestValues.convert(cell.getValue().value(), type.get());
          } catch (UnitTestValues.WrongTypeException e) {
            problems.add(
                cell.getValue().location(),
                UnitTestValues.describe(column, cell.getValue().value(), what, e.getMessage()),
                "write a value of the column's declared type, "
                    + declared.type()
                    + " (declared at "
                    + declared.location()
                    + ")");
          }
        }
      }
    }
  }
}
