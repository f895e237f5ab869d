package dev.sluice.core.run;

import dev.sluice.api.DataException;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ColumnTypes;
import dev.sluice.core.project.ContractDef;
import dev.sluice.core.project.ContractDef.Evolution;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * Holds the columns a build gives against its enforced contract, before anything is written: every
 * declared column must be given, of its declared type (or one that widens into it without loss,
 * which the build casts), and a column the contract does not declare passes only when the contract
 * allows {@link Evolution#ADDITIVE additive} evolution. A violation fails with a column-by-column
 * diff: each column, the type the contract expects and the type the build gives.
 */
final class ContractEnforcement {
  /** One line of the diff. */
  record ColumnDiff(String column, String expected, String actual, String verdict) {
    boolean violates() {
      return !verdict.equals("ok") && !verdict.startsWith("added");
    }
  }

  private ContractEnforcement() {}

  /**
   * Checks {@code actual} against the contract of an asset.
   *
   * @param what the asset, as messages name it, e.g. {@code model revenue (models/revenue.yaml:3)}
   * @param ignored whether an undeclared column is one Sluice or the connector adds (a source
   *     table's {@code _loaded_at}, {@code _source_file}), never diffed
   * @throws DataException with the diff when the columns violate the contract
   */
  static void check(
      ContractDef contract,
      List<ColumnDef> declared,
      Schema actual,
      String what,
      Predicate<String> ignored) {
    if (contract == null || !contract.enforced()) {
      return;
    }
    List<ColumnDiff> diff = diff(contract, declared, actual, ignored);
    if (diff.stream().noneMatch(ColumnDiff::violates)) {
      return;
    }
    throw new DataException(
        "The output of "
            + what
            + " violates its contract (evolution: "
            + contract.evolution().label()
            + "); nothing was published:\n"
            + render(diff)
            + "\nChange the SQL (or the source) to give the declared columns and types, or change"
            + " the contract"
            + (contract.evolution() == Evolution.NONE
                    && diff.stream().anyMatch(d -> d.expected().equals("(not declared)"))
                ? " (declare the new columns, or allow them with 'evolution: additive')"
                : ""));
  }

  /** Every declared column, then every undeclared one the build gives. */
  static List<ColumnDiff> diff(
      ContractDef contract, List<ColumnDef> declared, Schema actual, Predicate<String> ignored) {
    List<ColumnDiff> diff = new ArrayList<>();
    for (ColumnDef column : declared) {
      Type expected = column.icebergType().orElse(null);
      String expectedText = expected == null ? "(any type)" : ColumnTypes.sqlName(expected);
      Types.NestedField field = actual.caseInsensitiveFindField(column.name());
      if (field == null) {
        diff.add(new ColumnDiff(column.name(), expectedText, "(missing)", "missing"));
      } else if (expected == null || same(field.type(), expected)) {
        diff.add(
            new ColumnDiff(column.name(), expectedText, ColumnTypes.sqlName(field.type()), "ok"));
      } else if (widens(field.type(), expected)) {
        diff.add(
            new ColumnDiff(
                column.name(),
                expectedText,
                ColumnTypes.sqlName(field.type()),
                "ok (cast to " + expectedText + ")"));
      } else {
        diff.add(
            new ColumnDiff(
                column.name(), expectedText, ColumnTypes.sqlName(field.type()), "type differs"));
      }
    }
    Set<String> names =
        declared.stream()
            .map(c -> c.name().toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toSet());
    for (Types.NestedField field : actual.columns()) {
      String lower = field.name().toLowerCase(Locale.ROOT);
      if (names.contains(lower) || ignored.test(field.name())) {
        continue;
      }
      diff.add(
          new ColumnDiff(
              field.name(),
              "(not declared)",
              ColumnTypes.sqlName(field.type()),
              contract.evolution() == Evolution.ADDITIVE
                  ? "added (evolution: additive)"
                  : "not in the contract"));
    }
    return diff;
  }

  /** The diff as an aligned table, one column a line. */
  static String render(List<ColumnDiff> diff) {
    int column = "column".length();
    int expected = "expected".length();
    int actual = "actual".length();
    for (ColumnDiff line : diff) {
      column = Math.max(column, line.column().length());
      expected = Math.max(expected, line.expected().length());
      actual = Math.max(actual, line.actual().length());
    }
    String format = "  %-" + column + "s  %-" + expected + "s  %-" + actual + "s  %s";
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(Locale.ROOT, format, "column", "expected", "actual", "").stripTrailing());
    for (ColumnDiff line : diff) {
      lines.add(
          String.format(
              Locale.ROOT,
              format,
              line.column(),
              line.expected(),
              line.actual(),
              line.violates() ? "<- " + line.verdict() : line.verdict()));
    }
    return String.join("\n", lines);
  }

  private static boolean same(Type given, Type declared) {
    if (given.isPrimitiveType() || declared.isPrimitiveType()) {
      return given.equals(declared);
    }
    return given.typeId() == declared.typeId();
  }

  /** Whether the build's type becomes the declared one without loss (the build casts it). */
  private static boolean widens(Type given, Type declared) {
    return given.isPrimitiveType()
        && declared.isPrimitiveType()
        && TypeUtil.isPromotionAllowed(given, declared.asPrimitiveType());
  }
}
