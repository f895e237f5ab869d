package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import java.util.Locale;

/** The file formats the file connector reads. */
enum FileFormat {
  CSV,
  JSON,
  PARQUET;

  /** The name used in source files, e.g. {@code csv}. */
  String displayName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a source file's {@code format:} value.
   *
   * @throws InvalidInputException for an unknown format
   */
  static FileFormat of(String name) {
    for (FileFormat format : values()) {
      if (format.displayName().equalsIgnoreCase(name.strip())) {
        return format;
      }
    }
    throw new InvalidInputException(
        "Unknown file format '" + name + "': the file connector reads csv, json and parquet");
  }
}
