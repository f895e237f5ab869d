package dev.sluice.core.project;

import dev.sluice.api.connector.SourceConnector;

/**
 * How a source table is loaded, as its connector tells from the table's options ({@link
 * SourceConnector#incremental}).
 */
public enum LoadMode {
  /** Each load reads everything the source holds and replaces the table. */
  FULL,
  /** A load reads only what is new since the last (for files: files not loaded before). */
  APPEND
}
