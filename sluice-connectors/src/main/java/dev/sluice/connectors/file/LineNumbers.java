package dev.sluice.connectors.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the line numbers of records from their byte offsets, in one pass over the file. DuckDB's
 * CSV reader reports where a bad record starts as a byte offset; its own line count treats a quoted
 * value spanning lines as one line, which would send users to the wrong place.
 */
final class LineNumbers {
  private static final int BUFFER_SIZE = 1 << 16;

  private LineNumbers() {}

  /**
   * The 1-based line of the first character of each record that starts at the given 0-based byte
   * offsets. Line breaks at a record's start (blank lines, or the LF of a CRLF) are skipped: the
   * record's line is that of its first character.
   *
   * @param offsets byte offsets, ascending
   */
  static Map<Long, Long> of(InputStream in, List<Long> offsets) throws IOException {
    Map<Long, Long> lines = new HashMap<>();
    if (offsets.isEmpty()) {
      return lines;
    }
    byte[] buffer = new byte[BUFFER_SIZE];
    long position = 0;
    long newlines = 0;
    int next = 0;
    long target = offsets.get(0);
    for (int n = in.read(buffer); n >= 0 && next < offsets.size(); n = in.read(buffer)) {
      for (int i = 0; i < n && next < offsets.size(); i++, position++) {
        byte b = buffer[i];
        if (position >= target) {
          if (b != '\n' && b != '\r') {
            lines.put(offsets.get(next), newlines + 1);
            next++;
            while (next < offsets.size() && offsets.get(next) <= position) {
              lines.put(offsets.get(next), newlines + 1);
              next++;
            }
            if (next < offsets.size()) {
              target = offsets.get(next);
            }
          }
        }
        if (b == '\n') {
          newlines++;
        }
      }
    }
    // Records that start with line breaks at the very end of the file get the last line.
    for (int i = next; i < offsets.size(); i++) {
      lines.put(offsets.get(i), newlines + 1);
    }
    return lines;
  }
}
