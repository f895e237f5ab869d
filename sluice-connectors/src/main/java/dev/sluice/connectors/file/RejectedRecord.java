package dev.sluice.connectors.file;

/**
 * A record that could not be loaded.
 *
 * @param file the file, as reported (relative to the project)
 * @param line the line where the record starts (for Parquet: the row number), 1-based
 * @param raw the record's text as found in the file
 * @param reason which column, and what is wrong
 */
record RejectedRecord(String file, long line, String raw, String reason) {}
