package dev.sluice.core.project;

/** How a source table's files are loaded. */
public enum LoadMode {
  /** Replace the whole table with the files found now. */
  FULL,
  /** Load only files whose name and checksum were not loaded before. */
  APPEND
}
