package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.OptionProblem;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.S3Options;
import java.nio.file.FileSystems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The file connector's options, as a source file gives them: {@code path} (a path or glob, relative
 * to the project directory, or an {@code s3://} URL), {@code format} ({@code csv}, {@code json} or
 * {@code parquet}; by default told from the path's extension) and {@code mode} ({@code append} or
 * {@code full}) are keys of the table; the CSV options are in the table's {@code csv:} block, the
 * storage settings in the source's {@code s3:} block (of {@link S3Options}).
 */
final class FileOptions {
  static final String PATH = "path";
  static final String FORMAT = "format";
  static final String MODE = "mode";
  static final String CHECKSUMS = "checksums";
  static final String CSV_BLOCK = "csv";

  private FileOptions() {}

  /** The declarations, in the order the docs show them. */
  static List<ConnectorOption> declarations() {
    List<ConnectorOption> options = new ArrayList<>();
    options.add(
        ConnectorOption.builder(PATH, ConnectorOption.Type.STRING)
            .description(
                "a key of the table: the files to read, a path or glob relative to the project (data/orders/*.csv,"
                    + " ** crosses directories) or an s3:// URL; it may match no file yet")
            .required()
            .tableKey()
            .build());
    options.add(
        ConnectorOption.builder(FORMAT, ConnectorOption.Type.CHOICE)
            .description(
                "a key of the table: the files' format; default: told from the path's extension (.csv, .tsv; .json,"
                    + " .jsonl, .ndjson; .parquet; each also .gz)")
            .allowedValues("csv", "json", "parquet")
            .tableKey()
            .build());
    options.add(
        ConnectorOption.builder(MODE, ConnectorOption.Type.CHOICE)
            .description(
                "a key of the table: append loads only files whose path and checksum were not loaded before, full"
                    + " reads every file and replaces the table")
            .allowedValues("append", "full")
            .defaultValue("append")
            .tableKey()
            .build());
    options.add(
        ConnectorOption.builder(CHECKSUMS, ConnectorOption.Type.CHOICE)
            .description(
                "a key of the table: when a local file is read for its checksum: changed reads a file whose"
                    + " inode, size, modification or change time differ from its last read, always reads every"
                    + " file at every load (for file systems whose times cannot be trusted)")
            .allowedValues("changed", "always")
            .defaultValue("changed")
            .tableKey()
            .build());
    for (CsvOption option : CsvOption.values()) {
      boolean bool = option == CsvOption.HEADER;
      options.add(
          ConnectorOption.builder(
                  option.key(), bool ? ConnectorOption.Type.BOOLEAN : ConnectorOption.Type.STRING)
              .description(
                  "CSV (in 'csv:'): "
                      + option.description()
                      + (bool ? "" : "; default: " + option.defaultValue()))
              .defaultValue(bool ? option.defaultValue() : null)
              .inTableBlock(CSV_BLOCK)
              .build());
    }
    options.addAll(S3Options.options());
    return List.copyOf(options);
  }

  /**
   * The problems of options that are each of their type: a path that is no valid glob or S3 URL, a
   * path whose extension tells no format, CSV options of another format, a CSV delimiter or quote
   * that is not one character.
   */
  static List<OptionProblem> check(ConnectorOptions options) {
    List<OptionProblem> problems = new ArrayList<>();
    String path = options.string(PATH);
    if (path == null) {
      return problems;
    }
    if (S3Location.isS3(path)) {
      try {
        S3Location.parse(path);
      } catch (InvalidInputException e) {
        problems.add(new OptionProblem(PATH, e.getMessage(), "e.g. s3://bucket/orders/*.csv"));
      }
    }
    try {
      FileSystems.getDefault().getPathMatcher("glob:" + path);
    } catch (PatternSyntaxException e) {
      problems.add(
          new OptionProblem(
              PATH,
              "Invalid path pattern '" + path + "': " + e.getDescription(),
              "write a glob relative to the project, e.g. data/orders/*.csv"));
    }
    String format = options.choice(FORMAT);
    if (format == null) {
      format = formatOf(path).orElse(null);
      if (format == null) {
        problems.add(
            new OptionProblem(
                PATH,
                "Cannot tell the format of '" + path + "' from its extension",
                "add 'format: csv', 'format: json' or 'format: parquet'"));
      }
    }
    List<String> csvGiven = new ArrayList<>();
    for (CsvOption option : CsvOption.values()) {
      if (options.isGiven(option.key())) {
        csvGiven.add(option.key());
      }
    }
    if (format != null && !format.equals("csv") && !csvGiven.isEmpty()) {
      problems.add(
          new OptionProblem(
              CSV_BLOCK,
              "'csv:' options apply only to CSV files, but the format is " + format,
              "remove 'csv:' or set 'format: csv'"));
    }
    for (CsvOption option : List.of(CsvOption.DELIMITER, CsvOption.QUOTE)) {
      String value = options.string(option.key());
      if (value != null && value.length() != 1) {
        problems.add(
            new OptionProblem(
                option.key(),
                "'" + option.key() + "' must be one character, got '" + value + "'",
                "quote it, e.g. "
                    + option.key()
                    + ": \""
                    + (option == CsvOption.QUOTE ? "'" : ";")
                    + "\""));
      }
    }
    return problems;
  }

  /** The format a path's extension tells: {@code csv}, {@code json} or {@code parquet}. */
  static Optional<String> formatOf(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".gz")) {
      lower = lower.substring(0, lower.length() - 3);
    }
    if (lower.endsWith(".csv") || lower.endsWith(".tsv")) {
      return Optional.of("csv");
    }
    if (lower.endsWith(".json") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
      return Optional.of("json");
    }
    if (lower.endsWith(".parquet")) {
      return Optional.of("parquet");
    }
    return Optional.empty();
  }

  /** The table's path or glob. */
  static String path(SourceTableSpec table) {
    return required(table, PATH);
  }

  /**
   * The table's format: {@code csv}, {@code json} or {@code parquet}, as given or else told from
   * the path's extension.
   *
   * @throws InvalidInputException when neither tells it
   */
  static String format(SourceTableSpec table) {
    String format = table.options().get(FORMAT);
    if (format != null) {
      return format;
    }
    String path = path(table);
    return formatOf(path)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "Cannot tell the format of '"
                        + path
                        + "' of "
                        + table.source()
                        + "."
                        + table.table()
                        + " from its extension; add 'format: csv', 'format: json' or 'format:"
                        + " parquet'"));
  }

  /**
   * The options of the table's format: its options without path, format, mode and storage settings.
   */
  static Map<String, String> formatOptions(SourceTableSpec table) {
    Map<String, String> options = new LinkedHashMap<>(table.options());
    options.keySet().remove(PATH);
    options.keySet().remove(FORMAT);
    options.keySet().remove(MODE);
    options.keySet().remove(CHECKSUMS);
    options.keySet().removeAll(S3Options.KEYS);
    return options;
  }

  /**
   * Whether the checksums of the table's unchanged local files are taken from their last read
   * ({@link FileChecksums}) rather than read again.
   */
  static boolean keepsChecksums(SourceTableSpec table) {
    return !"always".equals(table.options().get(CHECKSUMS));
  }

  /** The options with the path and the format (unless null: told from the path) added. */
  static Map<String, String> with(String path, String format, Map<String, String> options) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(PATH, path);
    if (format != null) {
      all.put(FORMAT, format);
    }
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
