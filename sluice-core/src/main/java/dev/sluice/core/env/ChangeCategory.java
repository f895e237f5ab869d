package dev.sluice.core.env;

import java.util.Locale;

/** How a change of a model affects what is built from it (issue 17 item 2). */
public enum ChangeCategory {
  /**
   * A column was removed or renamed, or the values or rows of a column that a downstream model
   * reads changed: the affected downstream models must be rebuilt.
   */
  BREAKING,
  /**
   * A new model, an added column, a change to columns no downstream model reads, or a change of
   * configuration only: the model is rebuilt, its downstream kept.
   */
  NON_BREAKING,
  /**
   * Only description, owner, tier, tags, column documentation or checks changed: nothing is built.
   */
  METADATA_ONLY;

  /** The name in output and JSON: {@code breaking}, {@code non-breaking}, {@code metadata-only}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
