package dev.sluice.api.timing;

/**
 * Where the time of a step goes, as {@link PhaseTimer} attributes it: each phase's time excludes
 * the phases marked inside it (a catalog look-up's read of the table's metadata file counts as
 * {@link #METADATA}, not {@link #CATALOG}).
 */
public enum StepPhase {
  /** The engine running statements: describing, registering inputs, the query's write, profiles. */
  ENGINE("engine"),
  /** Sluice's own work on a written data file: its footer's column metrics, storing it. */
  DATA_FILE("data file"),
  /** Iceberg's snapshot production: manifests and the manifest list, written and read. */
  MANIFEST("manifest"),
  /** Table metadata files ({@code *.metadata.json}), written and read. */
  METADATA("metadata"),
  /** The catalog: table look-ups and the commit's pointer swap in the catalog database. */
  CATALOG("catalog"),
  /** Checks on the audited data, with the registration of what they read. */
  CHECKS("checks"),
  /** Moving main to the audited snapshot, and reading it again afterwards. */
  PUBLISH("publish"),
  /** The run store: the step's records, its table lock, the audit log. */
  RUN_STORE("run store"),
  /** Everything not marked: rendering SQL, planning, Sluice's own bookkeeping. */
  OTHER("other");

  private final String label;

  StepPhase(String label) {
    this.label = label;
  }

  /** The phase's name in reports, e.g. {@code data file}. */
  public String label() {
    return label;
  }
}
