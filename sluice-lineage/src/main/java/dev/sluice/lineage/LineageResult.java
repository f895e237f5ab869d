package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

/** What analysing a query gives: its lineage, or why it cannot be derived. */
public sealed interface LineageResult {
  /** The query's lineage. */
  record Derived(QueryLineage lineage) implements LineageResult {
    public Derived {
      requireNonNull(lineage, "lineage is null");
    }
  }

  /**
   * The lineage cannot be derived without guessing.
   *
   * @param reason why, e.g. the parser's message or the SQL form that is not analysed
   */
  record NotDerivable(String reason) implements LineageResult {
    public NotDerivable {
      requireNonNull(reason, "reason is null");
    }
  }
}
