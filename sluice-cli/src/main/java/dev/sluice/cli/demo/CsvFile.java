package dev.sluice.cli.demo;

import static java.util.Objects.requireNonNull;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;

/**
 * Writes one CSV file fast, row by row, with {@code \n} line ends whatever the platform.
 *
 * <p>The rows go to a temporary file next to the target, which {@link #commit()} moves into place:
 * an interrupted run never leaves a half-written file that an {@code append} source would load as
 * new. Closing without committing deletes the temporary file.
 */
final class CsvFile implements Closeable {
  private static final int FLUSH_AT = 1 << 16;

  private final Path target;
  private final Path temporary;
  private final Writer writer;
  private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
  private char[] chunk = new char[FLUSH_AT + 1024];
  private boolean rowStarted;
  private boolean committed;
  private long rows;

  private CsvFile(Path target, Path temporary, Writer writer) {
    this.target = target;
    this.temporary = temporary;
    this.writer = writer;
  }

  /** Starts a file with its header row; the directory is created when missing. */
  static CsvFile create(Path target, String... header) throws IOException {
    requireNonNull(target, "target is null");
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
    CsvFile file =
        new CsvFile(
            target,
            temporary,
            new BufferedWriter(
                Files.newBufferedWriter(temporary, StandardCharsets.UTF_8), FLUSH_AT));
    for (String column : header) {
      file.text(column);
    }
    file.buffer.append('\n');
    file.rowStarted = false;
    return file;
  }

  /** A text field, quoted per RFC 4180 when it holds a delimiter, a quote or a line break. */
  CsvFile text(String value) {
    separate();
    if (value.indexOf(',') < 0
        && value.indexOf('"') < 0
        && value.indexOf('\n') < 0
        && value.indexOf('\r') < 0) {
      buffer.append(value);
    } else {
      buffer.append('"').append(value.replace("\"", "\"\"")).append('"');
    }
    return this;
  }

  CsvFile number(long value) {
    separate();
    buffer.append(value);
    return this;
  }

  /** A decimal with two places, given in hundredths: 1999 is written {@code 19.99}. */
  CsvFile hundredths(long value) {
    separate();
    long units = Math.abs(value);
    if (value < 0) {
      buffer.append('-');
    }
    buffer.append(units / 100).append('.');
    appendTwoDigits((int) (units % 100));
    return this;
  }

  /** A date as {@code yyyy-MM-dd}. */
  CsvFile date(long epochDay) {
    separate();
    appendDate(LocalDate.ofEpochDay(epochDay));
    return this;
  }

  /** A timestamp without time zone as {@code yyyy-MM-dd HH:mm:ss}, from UTC epoch seconds. */
  CsvFile timestamp(long epochSecond) {
    separate();
    long secondOfDay = Math.floorMod(epochSecond, 86_400L);
    appendDate(LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86_400L)));
    buffer.append(' ');
    appendTwoDigits((int) (secondOfDay / 3600));
    buffer.append(':');
    appendTwoDigits((int) (secondOfDay / 60 % 60));
    buffer.append(':');
    appendTwoDigits((int) (secondOfDay % 60));
    return this;
  }

  /** A line written as given, for the deliberately malformed records of the demo. */
  void rawLine(String line) throws IOException {
    if (rowStarted) {
      throw new IllegalStateException("Cannot write a raw line in the middle of a row");
    }
    buffer.append(line).append('\n');
    rows++;
    flushIfFull();
  }

  void endRow() throws IOException {
    buffer.append('\n');
    rowStarted = false;
    rows++;
    flushIfFull();
  }

  /** The data rows written so far, without the header. */
  long rows() {
    return rows;
  }

  /** Writes what is buffered and moves the file into place, replacing an older one. */
  void commit() throws IOException {
    flush();
    writer.close();
    try {
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  @Override
  public void close() {
    if (committed) {
      return;
    }
    try {
      writer.close();
      Files.deleteIfExists(temporary);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove the unfinished file " + temporary, e);
    }
  }

  private void separate() {
    if (rowStarted) {
      buffer.append(',');
    }
    rowStarted = true;
  }

  private void appendDate(LocalDate date) {
    buffer.append(date.getYear()).append('-');
    appendTwoDigits(date.getMonthValue());
    buffer.append('-');
    appendTwoDigits(date.getDayOfMonth());
  }

  private void appendTwoDigits(int value) {
    buffer.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  private void flushIfFull() throws IOException {
    if (buffer.length() >= FLUSH_AT) {
      flush();
    }
  }

  private void flush() throws IOException {
    int length = buffer.length();
    if (chunk.length < length) {
      chunk = new char[length];
    }
    buffer.getChars(0, length, chunk, 0);
    writer.write(chunk, 0, length);
    buffer.setLength(0);
  }
}
