package dev.sluice.connectors.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the CSV records longer than DuckDB's maximum line size, in one pass over the file that
 * follows quotes as the reader does. DuckDB reports such a record correctly only while it fits its
 * read buffer (16 times the maximum line size, 32 MB): a longer record is skipped without a trace,
 * or a neighbouring record is blamed for it. So Sluice finds them itself, and DuckDB reads a copy
 * of the file without them. The pass read a 38 MB CSV of a million rows in 85 ms once compiled (on
 * a busy 2-core machine), a fraction of DuckDB's read; a file no longer than the limit is not read.
 * It skips eight bytes at a time while none of them is a quote, an escape or a line break (most of
 * a CSV file), and follows the bytes one by one only around those: JFR of the ingest suite at SF
 * 0.1 found the byte-by-byte pass the largest Java cost of a load (half the samples of the step's
 * own code), as large as the commit and the footers together.
 */
final class CsvLongRecords {
  /** DuckDB's default {@code max_line_size}, given to the reader explicitly. */
  static final int MAX_LINE_BYTES = 2_000_000;

  /** How much of a long record is kept as its raw text in the rejected table. */
  private static final int SHOWN_BYTES = 1000;

  private static final int BUFFER_SIZE = 1 << 16;

  /** Reads eight bytes of a buffer as one {@code long}, the first byte the lowest. */
  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * A record longer than the maximum line size.
   *
   * @param line the 1-based line it starts on
   * @param start its first byte
   * @param end the byte after its last (the line break excluded)
   * @param lineBreak the byte that ends it, {@code \r} (of a CRLF) or {@code \n}; -1 at the end of
   *     the file
   */
  record LongRecord(long line, long start, long end, int lineBreak) {
    long bytes() {
      return end - start;
    }

    String reason() {
      return "the record is longer than the maximum line size of "
          + MAX_LINE_BYTES
          + " bytes ("
          + bytes()
          + " bytes); split its values or load it from another format";
    }
  }

  private CsvLongRecords() {}

  /** The records of a file longer than {@link #MAX_LINE_BYTES}, in file order. */
  static List<LongRecord> find(InputFile file, String quote, String escape) throws IOException {
    if (!file.gzipped() && file.sizeInBytes() <= MAX_LINE_BYTES) {
      return List.of();
    }
    Scanner scanner = new Scanner(quote, escape);
    byte[] buffer = new byte[BUFFER_SIZE];
    try (InputStream in = file.open()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        scanner.update(buffer, n);
      }
    }
    return scanner.finish();
  }

  /**
   * Finds the long records of one file fed to it buffer by buffer, so that the pass that reads a
   * file for its checksum finds them too ({@link InputFile#read(java.nio.file.Path,
   * java.nio.file.Path, Scanner)}): one read of the file instead of two.
   */
  static final class Scanner {
    private final int quoteByte;
    private final int escapeByte;
    private final boolean separateEscape;
    // each byte that may change the state, repeated in every byte of a word (an absent quote or
    // escape repeats the line feed, already looked for)
    private final long lineFeeds = repeated('\n');
    private final long carriageReturns = repeated('\r');
    private final long quotes;
    private final long escapes;
    private final List<LongRecord> found = new ArrayList<>();
    private long position;
    private long line = 1;
    private long recordStart;
    private long recordLine = 1;
    private boolean quoted;
    private boolean escaped;

    Scanner(String quote, String escape) {
      // -1 (never a byte's value below) when there is no quote or escape character
      this.quoteByte = quote.isEmpty() ? -1 : quote.charAt(0);
      this.escapeByte = escape.isEmpty() ? -1 : escape.charAt(0);
      this.separateEscape = escapeByte != -1 && escapeByte != quoteByte;
      this.quotes = quoteByte == -1 ? lineFeeds : repeated(quoteByte);
      this.escapes = separateEscape ? repeated(escapeByte) : lineFeeds;
    }

    /**
     * What the scan depends on besides the bytes (the quote and escape), for {@link FileChecksums}:
     * a file scanned with other characters is scanned again.
     */
    String key() {
      return quoteByte + "," + escapeByte;
    }

    /** Follows the next {@code n} bytes of the file. */
    void update(byte[] buffer, int n) {
      for (int i = 0; i < n; i++, position++) {
        // the next eight bytes change nothing when none may and no escape is pending
        while (!escaped && i + Long.BYTES <= n) {
          long word = (long) WORDS.get(buffer, i);
          if (contains(word, lineFeeds)
              || contains(word, carriageReturns)
              || contains(word, quotes)
              || contains(word, escapes)) {
            break;
          }
          i += Long.BYTES;
          position += Long.BYTES;
        }
        if (i >= n) {
          break;
        }
        int b = buffer[i] & 0xFF;
        if (escaped) {
          escaped = false;
        } else if (quoted && separateEscape && b == escapeByte) {
          escaped = true;
        } else if (b == quoteByte) {
          quoted = !quoted;
        } else if (!quoted && (b == '\n' || b == '\r')) {
          if (position - recordStart > MAX_LINE_BYTES) {
            found.add(new LongRecord(recordLine, recordStart, position, b));
          }
          recordStart = position + 1;
          recordLine = b == '\n' ? line + 1 : line;
        }
        if (b == '\n') {
          line++;
        }
      }
    }

    /** The long records found, once the whole file was followed. */
    List<LongRecord> finish() {
      List<LongRecord> records = new ArrayList<>(found);
      if (position - recordStart > MAX_LINE_BYTES) {
        records.add(new LongRecord(recordLine, recordStart, position, -1));
      }
      return List.copyOf(records);
    }
  }

  /** {@code b} in each of a word's eight bytes. */
  private static long repeated(int b) {
    return (b & 0xFFL) * ONES;
  }

  /**
   * Whether one of {@code word}'s bytes equals the byte {@code pattern} repeats: a byte of {@code
   * word ^ pattern} is zero (the classic test for a zero byte: only a zero byte borrows into its
   * high bit without having it set).
   */
  private static boolean contains(long word, long pattern) {
    long x = word ^ pattern;
    return ((x - ONES) & ~x & HIGH_BITS) != 0;
  }

  /**
   * Copies a file without its long records: each becomes its line breaks only (blank lines, which
   * the reader skips), so that the copy's lines are the file's. The blank lines end as the file's
   * lines do: DuckDB fails on a bare LF in a file of CRLF lines.
   */
  static void copyWithout(InputFile file, List<LongRecord> records, Path copy) throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long position = 0;
    int next = 0;
    try (InputStream in = file.open();
        OutputStream out = Files.newOutputStream(copy)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        int from = 0;
        for (int i = 0; i < n; i++, position++) {
          while (next < records.size() && position >= records.get(next).end()) {
            next++;
          }
          boolean inside = next < records.size() && position >= records.get(next).start();
          if (inside) {
            out.write(buffer, from, i - from);
            from = i + 1;
            if (buffer[i] == '\n') {
              if (records.get(next).lineBreak() == '\r') {
                out.write('\r');
              }
              out.write('\n');
            }
          }
        }
        out.write(buffer, from, n - from);
      }
    }
  }

  /** The start of a long record, for the rejected table. */
  static String shown(InputFile file, LongRecord record) throws IOException {
    try (InputStream in = file.open()) {
      in.skipNBytes(record.start());
      byte[] bytes = in.readNBytes(SHOWN_BYTES);
      return new String(bytes, StandardCharsets.UTF_8) + "... (" + record.bytes() + " bytes)";
    }
  }
}
