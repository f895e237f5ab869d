package dev.sluice.lineage;

import java.util.Locale;

/** The clause in which a query uses a column to choose, join or group its rows. */
public enum ConditionClause {
  WHERE,
  JOIN,
  GROUP_BY,
  HAVING,
  QUALIFY;

  /** The name in output and JSON: {@code where}, {@code join}, {@code group_by}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
