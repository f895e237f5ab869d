package dev.sluice.core.state;

/**
 * What {@link AuditLog#verify()} found.
 *
 * @param recordsChecked how many records were read
 * @param firstBadSequence the sequence number of the first record that breaks the chain (changed,
 *     moved, missing or followed by a gap), or null when the chain is intact
 * @param problem what is wrong with it, for people, or null when the chain is intact
 */
public record AuditVerification(long recordsChecked, Long firstBadSequence, String problem) {
  /** Whether every record is as it was appended, in order, with none removed. */
  public boolean intact() {
    return firstBadSequence == null;
  }

  static AuditVerification ok(long recordsChecked) {
    return new AuditVerification(recordsChecked, null, null);
  }

  static AuditVerification broken(long recordsChecked, long sequence, String problem) {
    return new AuditVerification(recordsChecked, sequence, problem);
  }
}
