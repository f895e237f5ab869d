package dev.sluice.core.project;

/** What a failing check does. */
public enum Severity {
  /** The run fails and the new data is not published (the default). */
  ERROR,
  /** The failure is reported and the data is published. */
  WARN
}
