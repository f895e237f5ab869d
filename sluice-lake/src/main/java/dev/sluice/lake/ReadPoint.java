package dev.sluice.lake;

/**
 * Which version of a table to read: the head of a branch, a snapshot id, or the snapshot that was
 * current at a point in time.
 */
public sealed interface ReadPoint {
  /** The head of {@code main}. */
  static ReadPoint main() {
    return new Branch("main");
  }

  static ReadPoint branch(String name) {
    return new Branch(name);
  }

  /**
   * The head of an environment's branch {@code name} in the tables that have one, else the head of
   * {@code main}: an environment holds only the tables it changed and reads every other table from
   * production, without a copy.
   */
  static ReadPoint environment(String name) {
    return new Environment(name);
  }

  static ReadPoint snapshot(long snapshotId) {
    return new Snapshot(snapshotId);
  }

  static ReadPoint asOf(long timestampMillis) {
    return new AsOfTime(timestampMillis);
  }

  /**
   * Parses a user's {@code --as-of}: a snapshot id (digits) or an ISO-8601 timestamp such as {@code
   * 2026-11-21T10:00:00Z}.
   */
  static ReadPoint parse(String text) {
    if (text.chars().allMatch(Character::isDigit)) {
      return snapshot(Long.parseLong(text));
    }
    try {
      return asOf(java.time.Instant.parse(text).toEpochMilli());
    } catch (java.time.format.DateTimeParseException e) {
      throw new dev.sluice.api.InvalidInputException(
          "Cannot read '"
              + text
              + "' as a snapshot id or a timestamp: use digits (a snapshot id from 'sluice"
              + " tables --json') or an ISO timestamp like 2026-11-21T10:00:00Z");
    }
  }

  record Branch(String name) implements ReadPoint {}

  /** The branch {@code name} where a table has it, else main. */
  record Environment(String name) implements ReadPoint {
    public Environment {
      java.util.Objects.requireNonNull(name, "name is null");
    }
  }

  record Snapshot(long snapshotId) implements ReadPoint {}

  record AsOfTime(long timestampMillis) implements ReadPoint {}
}
