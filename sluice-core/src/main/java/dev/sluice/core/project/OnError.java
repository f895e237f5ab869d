package dev.sluice.core.project;

/** What a load does with a malformed row. */
public enum OnError {
  /** Stop the load at the first malformed row, naming file, line and problem. */
  FAIL,
  /** Load the good rows and write each bad one to the {@code __rejected} table. */
  QUARANTINE
}
