package dev.sluice.connectors.file;

import java.util.Locale;
import java.util.Optional;

/**
 * The options of CSV sources ({@code csv:} in a source table), with their defaults. Each is a
 * string in {@link dev.sluice.api.connector.SourceTableSpec#options()}.
 */
public enum CsvOption {
  DELIMITER(
      "delimiter",
      ", (a tab for .tsv files)",
      "the character between values; one character, \\t for a tab"),
  HEADER("header", "true", "whether the first line names the columns: true or false"),
  QUOTE(
      "quote",
      "\"",
      "the character around values that contain delimiters, quotes or line breaks; empty for"
          + " none"),
  ESCAPE(
      "escape",
      "the quote character",
      "the character before a quote inside a quoted value (a doubled quote by default)"),
  NULL_STRING(
      "null_string", "(empty)", "the text that stands for a missing value, e.g. NULL or \\N"),
  DATE_FORMAT(
      "date_format",
      "ISO 8601 (2024-01-31)",
      "strftime format of dates, e.g. %d/%m/%Y; applies to date columns"),
  TIMESTAMP_FORMAT(
      "timestamp_format",
      "ISO 8601 (2024-01-31 12:00:00)",
      "strftime format of timestamps, e.g. %d/%m/%Y %H:%M; applies to timestamp columns");

  private final String key;
  private final String defaultValue;
  private final String description;

  CsvOption(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The key in the {@code csv:} block, e.g. {@code null_string}. */
  public String key() {
    return key;
  }

  /** A human-readable description of the default. */
  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The option with the given key, if any. */
  public static Optional<CsvOption> fromKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (CsvOption option : values()) {
      if (option.key.equals(lower)) {
        return Optional.of(option);
      }
    }
    return Optional.empty();
  }
}
