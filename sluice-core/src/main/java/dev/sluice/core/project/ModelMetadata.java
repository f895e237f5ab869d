package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's metadata as canonical text per facet: what its properties say that does not change the
 * data it builds (description, owner, tier, tags, column descriptions and classification, checks,
 * the contract). Two versions of a model whose SQL and configuration are the same differ only here:
 * a metadata-only change. Where in a file something is declared is left out, so moving a line is no
 * change.
 */
public final class ModelMetadata {
  /** The facets, in the order they are reported. */
  public static final List<String> FACETS =
      List.of("description", "owner", "tier", "tags", "columns", "checks", "contract");

  private ModelMetadata() {}

  /** The facets of a model's metadata, by name. */
  public static Map<String, String> of(ModelDef model) {
    requireNonNull(model, "model is null");
    Map<String, String> facets = new TreeMap<>();
    facets.put("description", text(model.description()));
    facets.put("owner", text(model.owner()));
    facets.put("tier", text(model.tier()));
    facets.put("tags", String.join(",", model.tags()));
    List<String> columns = new ArrayList<>();
    for (ColumnDef column : model.columns()) {
      columns.add(
          column.name()
              + " type="
              + text(column.type())
              + " description="
              + text(column.description())
              + " classification="
              + (column.classification() == null
                  ? ""
                  : String.join(",", column.classification().tags())
                      + " "
                      + text(column.classification().reason())));
    }
    facets.put("columns", String.join("\n", columns));
    List<String> checks = new ArrayList<>();
    for (CheckDef check : model.allChecks()) {
      checks.add(
          check.type()
              + " "
              + check.name()
              + " column="
              + text(check.column())
              + " severity="
              + check.severity()
              + " "
              + check.arguments());
    }
    checks.sort(null);
    facets.put("checks", String.join("\n", checks));
    facets.put("contract", contract(model));
    return facets;
  }

  /**
   * The model's contract as canonical text, empty without one: whether it is enforced, its
   * evolution, grain and constraints, and the declared type of each column (what an enforced
   * contract holds the output to). A build checks its data against it, so the model's fingerprint
   * includes it.
   */
  public static String contract(ModelDef model) {
    ContractDef contract = model.contract();
    if (contract == null) {
      return "";
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        "enforced="
            + contract.enforced()
            + " evolution="
            + contract.evolution().label()
            + " grain="
            + contract.grain());
    List<String> constraints = new ArrayList<>();
    for (ContractDef.Constraint constraint : contract.constraints()) {
      constraints.add(
          constraint.type().label()
              + " "
              + constraint.columns()
              + " expression="
              + text(constraint.expression())
              + " name="
              + text(constraint.name()));
    }
    constraints.sort(null);
    lines.addAll(constraints);
    for (ColumnDef column : model.columns()) {
      lines.add("column " + column.name() + " type=" + text(column.type()));
    }
    for (ContractDef.DataType column : contract.dataTypes()) {
      lines.add("data_type " + column.column() + " " + column.dataType());
    }
    return String.join("\n", lines);
  }

  /** The facets whose text differs between two versions, in {@link #FACETS} order. */
  public static List<String> changed(Map<String, String> before, Map<String, String> after) {
    List<String> changed = new ArrayList<>();
    for (String facet : FACETS) {
      if (!before.getOrDefault(facet, "").equals(after.getOrDefault(facet, ""))) {
        changed.add(facet);
      }
    }
    return changed;
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }
}
