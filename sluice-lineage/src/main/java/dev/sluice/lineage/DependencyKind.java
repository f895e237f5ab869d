package dev.sluice.lineage;

import java.util.Locale;

/** How an output column depends on an input column. */
public enum DependencyKind {
  /** The value is the input's, copied or renamed ({@code c.email}, {@code email as login}). */
  DIRECT,
  /**
   * The value is computed from the input row by row: functions, operators, casts, {@code case}
   * ({@code lower(trim(email))}, {@code amount::decimal(18, 2)}).
   */
  TRANSFORMATION,
  /**
   * The value is computed over many rows of the input: an aggregate or a window function ({@code
   * count(email)}, {@code rank() over (order by amount)}). Whether it still holds input values is
   * {@link ColumnDependency#carriesValues()}.
   */
  AGGREGATION;

  /** The name in output and JSON: {@code direct}, {@code transformation}, {@code aggregation}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind of a dependency through two steps: the outer one and the one it reads through. */
  public DependencyKind then(DependencyKind inner) {
    if (this == AGGREGATION || inner == AGGREGATION) {
      return AGGREGATION;
    }
    return this == DIRECT && inner == DIRECT ? DIRECT : TRANSFORMATION;
  }
}
