package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long-record pass, which skips eight bytes at a time, finds exactly the records that following
 * every byte finds: on generated files of short and long records with quoted line breaks, doubled
 * quotes, escapes, CRLF and bytes above 127, at every alignment to the eight-byte words and across
 * the read buffer's ends.
 */
class CsvLongRecordsTest {
  @TempDir Path dir;

  @Test
  void findsWhatFollowingEveryByteFinds() throws IOException {
    Random random = new Random(20);
    for (int round = 0; round < 6; round++) {
      String escape = round % 3 == 0 ? "\\" : round % 3 == 1 ? "\"" : "";
      String quote = round == 5 ? "" : "\"";
      List<Integer> longRecords = new ArrayList<>();
      byte[] content = generate(random, round % 2 == 0 ? "\r\n" : "\n", quote, escape, longRecords);
      Path path = dir.resolve("round" + round + ".csv");
      Files.write(path, content);
      InputFile file = new InputFile(path, path.getFileName().toString(), "x", content.length);

      List<CsvLongRecords.LongRecord> found = CsvLongRecords.find(file, quote, escape);

      assertThat(found).as("round %d", round).isEqualTo(byteByByte(content, quote, escape));
      assertThat(found)
          .as("round %d", round)
          .extracting(record -> (int) record.bytes())
          .isEqualTo(longRecords);
      // the pass that checksums the file finds the same records, fed the same buffers
      InputFile checksummed = InputFile.read(dir, path, new CsvLongRecords.Scanner(quote, escape));
      assertThat(checksummed.longRecords()).as("round %d", round).isEqualTo(found);
      assertThat(checksummed.checksum()).isEqualTo(InputFile.read(dir, path).checksum());
      assertThat(checksummed.sizeInBytes()).isEqualTo(content.length);
    }
  }

  /**
   * A gzip-compressed file's records are in its decompressed bytes, which the checksum pass does
   * not read: it leaves them to be looked for when the file is staged.
   */
  @Test
  void theChecksumPassLeavesGzippedFilesToTheStaging() throws IOException {
    Path path = dir.resolve("a.csv.gz");
    try (java.util.zip.GZIPOutputStream out =
        new java.util.zip.GZIPOutputStream(Files.newOutputStream(path))) {
      out.write(
          ("a\n" + "x".repeat(CsvLongRecords.MAX_LINE_BYTES + 1) + "\n")
              .getBytes(StandardCharsets.UTF_8));
    }

    InputFile file = InputFile.read(dir, path, new CsvLongRecords.Scanner("\"", "\""));

    assertThat(file.longRecords()).isNull();
    assertThat(CsvLongRecords.find(file, "\"", "\""))
        .singleElement()
        .satisfies(record -> assertThat(record.line()).isEqualTo(2));
  }

  /**
   * Records of 1 to 200 bytes and, now and then, one longer than the maximum line size: text with
   * now and then a delimiter, a byte above 127 or a backslash and, in quoted records (when there is
   * a quote), a doubled quote, a line break or an escaped quote.
   *
   * @param longRecords the lengths of the long records written, quotes included
   */
  private static byte[] generate(
      Random random, String lineBreak, String quote, String escape, List<Integer> longRecords)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> plain = List.of(",", "é", "\\");
    List<String> inQuotes = new ArrayList<>(List.of(",", "é", "\"\"", "\n", "\r\n"));
    if (escape.equals("\\")) {
      inQuotes.add("\\\"");
      inQuotes.add("\\\\");
    }
    for (int record = 0; record < 400; record++) {
      boolean isLong = record % 97 == 13;
      int length =
          isLong
              ? CsvLongRecords.MAX_LINE_BYTES + random.nextInt(100_000)
              : 1 + random.nextInt(200);
      boolean quoted = !quote.isEmpty() && random.nextInt(3) == 0;
      ByteArrayOutputStream value = new ByteArrayOutputStream();
      if (quoted) {
        value.write('"');
      }
      List<String> special = quoted ? inQuotes : plain;
      while (value.size() < length) {
        // plain text mostly, as a CSV file is; the bytes that change the state now and then
        if (random.nextInt(40) == 0) {
          value.write(special.get(random.nextInt(special.size())).getBytes(StandardCharsets.UTF_8));
        } else {
          value.write('a' + random.nextInt(26));
        }
      }
      if (quoted) {
        value.write('"');
      }
      if (isLong) {
        longRecords.add(value.size());
      }
      value.writeTo(out);
      out.write(lineBreak.getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** The pass as it was, one byte at a time: the oracle. */
  private static List<CsvLongRecords.LongRecord> byteByByte(
      byte[] content, String quote, String escape) {
    int quoteByte = quote.isEmpty() ? -1 : quote.charAt(0);
    int escapeByte = escape.isEmpty() ? -1 : escape.charAt(0);
    boolean separateEscape = escapeByte != -1 && escapeByte != quoteByte;
    List<CsvLongRecords.LongRecord> found = new ArrayList<>();
    long line = 1;
    long recordStart = 0;
    long recordLine = 1;
    boolean quoted = false;
    boolean escaped = false;
    long position = 0;
    for (; position < content.length; position++) {
      int b = content[(int) position] & 0xFF;
      if (escaped) {
        escaped = false;
      } else if (quoted && separateEscape && b == escapeByte) {
        escaped = true;
      } else if (b == quoteByte) {
        quoted = !quoted;
      } else if (!quoted && (b == '\n' || b == '\r')) {
        if (position - recordStart > CsvLongRecords.MAX_LINE_BYTES) {
          found.add(new CsvLongRecords.LongRecord(recordLine, recordStart, position, b));
        }
        recordStart = position + 1;
        recordLine = b == '\n' ? line + 1 : line;
      }
      if (b == '\n') {
        line++;
      }
    }
    if (position - recordStart > CsvLongRecords.MAX_LINE_BYTES) {
      found.add(new CsvLongRecords.LongRecord(recordLine, recordStart, position, -1));
    }
    return found;
  }
}
