package dev.sluice.core.state;

/** What kind of asset a step materializes. */
public enum StepKind {
  /** A table of a source, loaded by its connector. */
  SOURCE,
  /** A seed CSV file. */
  SEED,
  /** A SQL model. */
  MODEL;

  /** How the run store and the CLI write it: {@code source}, {@code seed} or {@code model}. */
  public String label() {
    return Labels.of(this);
  }

  /** The {@link #label()}, as runs and events show it. */
  @Override
  public String toString() {
    return label();
  }

  /**
   * The kind written as {@code label}.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static StepKind parse(String label) {
    return Labels.parse(StepKind.class, label, "kind of step");
  }
}
