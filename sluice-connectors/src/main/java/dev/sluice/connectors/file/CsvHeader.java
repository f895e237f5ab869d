package dev.sluice.connectors.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the first record of a CSV file: the column names when it has a header. DuckDB's sniffer is
 * not used for this because it gives up on small files with malformed rows.
 */
final class CsvHeader {
  /** How many characters of a first record are read at most: a longer header is refused. */
  private static final int MAX_CHARACTERS = CsvLongRecords.MAX_LINE_BYTES;

  private CsvHeader() {}

  /**
   * The values of the file's first record, unquoted; empty for an empty file.
   *
   * @throws IOException when the file cannot be read
   */
  static List<String> firstRecord(InputFile file, String delimiter, String quote, String escape)
      throws IOException {
    try (InputStream in = file.open();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return parse(reader, delimiter.charAt(0), quote, escape);
    }
  }

  /** The values of the first record read from {@code in}; empty when there is none. */
  static List<String> parse(Reader in, char delimiter, String quote, String escape)
      throws IOException {
    PushbackReader reader = new PushbackReader(in, 1);
    int c = reader.read();
    if (c == '\uFEFF') {
      c = reader.read();
    }
    if (c < 0) {
      return List.of();
    }
    boolean hasQuote = !quote.isEmpty();
    boolean hasEscape = !escape.isEmpty();
    char quoteChar = hasQuote ? quote.charAt(0) : 0;
    char escapeChar = hasEscape ? escape.charAt(0) : 0;
    List<String> values = new ArrayList<>();
    StringBuilder value = new StringBuilder();
    boolean quoted = false;
    for (int count = 0; c >= 0 && count < MAX_CHARACTERS; c = reader.read(), count++) {
      char ch = (char) c;
      if (quoted) {
        if (hasEscape && ch == escapeChar && escapeChar != quoteChar) {
          int next = reader.read();
          if (next >= 0) {
            value.append((char) next);
          }
        } else if (ch == quoteChar) {
          int next = reader.read();
          if (hasEscape && escapeChar == quoteChar && next == quoteChar) {
            value.append(quoteChar);
          } else {
            quoted = false;
            if (next >= 0) {
              reader.unread(next);
            }
          }
        } else {
          value.append(ch);
        }
      } else if (hasQuote && ch == quoteChar) {
        quoted = true;
      } else if (ch == delimiter) {
        values.add(value.toString());
        value.setLength(0);
      } else if (ch == '\n' || ch == '\r') {
        break;
      } else {
        value.append(ch);
      }
    }
    values.add(value.toString());
    return values;
  }
}
