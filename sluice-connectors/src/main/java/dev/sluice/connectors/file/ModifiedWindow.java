package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ReplayWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A replay window of a file source: the files whose last-modified time lies in it, both bounds
 * inclusive. A bound is a date ({@code 2026-11-01}: from its first instant, or to its last), a date
 * and time ({@code 2026-11-01T10:00}, in UTC) or an instant with an offset ({@code
 * 2026-11-01T10:00:00Z}, {@code 2026-11-01T12:00+02:00}).
 */
record ModifiedWindow(Instant from, Instant to) {
  static final String DESCRIPTION =
      "last-modified times of the files (inclusive): a date (2026-11-01), a date and time in UTC"
          + " (2026-11-01T10:00) or with an offset (2026-11-01T10:00:00Z); the rows of a file read"
          + " again replace the rows it was loaded with";

  static ModifiedWindow of(ReplayWindow window, String table) {
    Instant from = parse(window.from(), false, "--from", table);
    Instant to = window.to() == null ? Instant.MAX : parse(window.to(), true, "--to", table);
    if (to.isBefore(from)) {
      throw new InvalidInputException(
          "The replay window of " + table + " ends before it starts: " + window.describe());
    }
    return new ModifiedWindow(from, to);
  }

  boolean contains(Path file) {
    try {
      return contains(Files.getLastModifiedTime(file).toInstant());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean contains(Instant modified) {
    return !modified.isBefore(from) && !modified.isAfter(to);
  }

  private static Instant parse(String text, boolean end, String flag, String table) {
    String value = text.strip();
    try {
      if (value.length() == 10) {
        LocalDate date = LocalDate.parse(value);
        return end
            ? date.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusNanos(1)
            : date.atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException e) {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          "Cannot read "
              + flag
              + " '"
              + text
              + "' of the replay of "
              + table
              + ": file sources replay by "
              + DESCRIPTION);
    }
  }
}
