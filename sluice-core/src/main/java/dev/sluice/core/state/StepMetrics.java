package dev.sluice.core.state;

/**
 * What one step moved: rows and bytes read and written, rows rejected, and the Iceberg snapshot it
 * committed.
 *
 * @param rowsIn rows read, never negative
 * @param rowsOut rows written, never negative
 * @param bytesIn bytes read, never negative
 * @param bytesOut bytes written, never negative
 * @param rejectedRows rows rejected (for example by a contract), never negative
 * @param snapshotId the Iceberg snapshot the step committed, or null when it committed none
 * @param detail free text for people, such as "appended 2 new files", or null
 */
public record StepMetrics(
    long rowsIn,
    long rowsOut,
    long bytesIn,
    long bytesOut,
    long rejectedRows,
    Long snapshotId,
    String detail) {

  private static final StepMetrics EMPTY = new StepMetrics(0, 0, 0, 0, 0, null, null);

  public StepMetrics {
    requireNotNegative(rowsIn, "rowsIn");
    requireNotNegative(rowsOut, "rowsOut");
    requireNotNegative(bytesIn, "bytesIn");
    requireNotNegative(bytesOut, "bytesOut");
    requireNotNegative(rejectedRows, "rejectedRows");
  }

  /** Metrics of a step that moved nothing: all counts zero, no snapshot, no detail. */
  public static StepMetrics empty() {
    return EMPTY;
  }

  private static void requireNotNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(
          String.format("Step metric %s must not be negative: %d", name, value));
    }
  }
}
