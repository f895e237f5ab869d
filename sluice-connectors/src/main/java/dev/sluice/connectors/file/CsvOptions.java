package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parsed and validated CSV options.
 *
 * @param delimiter the delimiter, or null to choose by file name (tab for .tsv, else comma)
 * @param header whether the first record names the columns
 * @param quote the quote character, or empty for none
 * @param escape the escape character inside quoted values, or empty for none
 * @param nullString the text of a missing value, or null for DuckDB's default (empty)
 * @param dateFormat a strftime format for dates, or null for ISO 8601
 * @param timestampFormat a strftime format for timestamps, or null for ISO 8601
 */
record CsvOptions(
    String delimiter,
    boolean header,
    String quote,
    String escape,
    String nullString,
    String dateFormat,
    String timestampFormat) {

  /**
   * Reads options from a source table's {@code csv:} block.
   *
   * @throws InvalidInputException for an unknown key or a value that cannot work
   */
  static CsvOptions parse(Map<String, String> options) {
    Map<CsvOption, String> values = new EnumMap<>(CsvOption.class);
    for (Map.Entry<String, String> entry : options.entrySet()) {
      CsvOption option =
          CsvOption.fromKey(entry.getKey())
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "Unknown CSV option '"
                              + entry.getKey()
                              + "': the options are "
                              + Arrays.stream(CsvOption.values())
                                  .map(CsvOption::key)
                                  .collect(Collectors.joining(", "))));
      values.put(option, entry.getValue());
    }
    String delimiter =
        values.containsKey(CsvOption.DELIMITER)
            ? character(CsvOption.DELIMITER, values.get(CsvOption.DELIMITER), false)
            : null;
    boolean header = bool(values.getOrDefault(CsvOption.HEADER, "true"));
    String quote = character(CsvOption.QUOTE, values.getOrDefault(CsvOption.QUOTE, "\""), true);
    String escape =
        values.containsKey(CsvOption.ESCAPE)
            ? character(CsvOption.ESCAPE, values.get(CsvOption.ESCAPE), true)
            : quote;
    if (delimiter != null && delimiter.equals(quote)) {
      throw new InvalidInputException(
          "The CSV delimiter and quote must differ, both are '" + delimiter + "'");
    }
    return new CsvOptions(
        delimiter,
        header,
        quote,
        escape,
        values.get(CsvOption.NULL_STRING),
        blankToNull(values.get(CsvOption.DATE_FORMAT)),
        blankToNull(values.get(CsvOption.TIMESTAMP_FORMAT)));
  }

  /** The delimiter for a file: the option, else a tab for .tsv files and a comma otherwise. */
  String delimiterFor(Path file) {
    if (delimiter != null) {
      return delimiter;
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".tsv") || name.endsWith(".tsv.gz") ? "\t" : ",";
  }

  private static String character(CsvOption option, String value, boolean emptyAllowed) {
    String text = value == null ? "" : value;
    if (text.equals("\\t")) {
      return "\t";
    }
    if (text.isEmpty() && emptyAllowed) {
      return "";
    }
    if (text.length() != 1 || text.equals("\n") || text.equals("\r")) {
      throw new InvalidInputException(
          "CSV option '"
              + option.key()
              + "' must be one character"
              + (emptyAllowed ? " or empty" : "")
              + ", got '"
              + text
              + "'");
    }
    return text;
  }

  private static boolean bool(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes" -> true;
      case "false", "no" -> false;
      default ->
          throw new InvalidInputException(
              "CSV option 'header' must be true or false, got '" + value + "'");
    };
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
