package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.SourceTableSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file connector's table options that say what to read: {@code path} (a path or glob, relative
 * to the project directory, or an {@code s3://} URL) and {@code format} ({@code csv}, {@code json}
 * or {@code parquet}). The other options are the format's (e.g. {@code delimiter}) and the object
 * store's.
 */
final class FileOptions {
  static final String PATH = "path";
  static final String FORMAT = "format";

  private FileOptions() {}

  /** The table's path or glob. */
  static String path(SourceTableSpec table) {
    return required(table, PATH);
  }

  /** The table's format: {@code csv}, {@code json} or {@code parquet}. */
  static String format(SourceTableSpec table) {
    return required(table, FORMAT);
  }

  /** The options of the table's format: its options without path, format and storage settings. */
  static Map<String, String> formatOptions(SourceTableSpec table) {
    Map<String, String> options = new LinkedHashMap<>(table.options());
    options.keySet().remove(PATH);
    options.keySet().remove(FORMAT);
    options.keySet().removeAll(ObjectSource.KEYS);
    return options;
  }

  /** The options with the path and format added. */
  static Map<String, String> with(String path, String format, Map<String, String> options) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(PATH, path);
    all.put(FORMAT, format);
    all.putAll(options);
    return all;
  }

  private static String required(SourceTableSpec table, String name) {
    String value = table.options().get(name);
    if (value == null) {
      throw new InvalidInputException(
          "Missing option '" + name + "' of " + table.source() + "." + table.table());
    }
    return value;
  }
}
