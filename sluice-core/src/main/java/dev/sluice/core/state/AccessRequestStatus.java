package dev.sluice.core.state;

/**
 * Where an {@link AccessRequest} stands. The state database stores {@code PENDING}, {@code
 * APPROVED} and {@code DENIED}; an approved request whose period has ended reads as {@code
 * EXPIRED}, so a grant ends on its own, without a write.
 */
public enum AccessRequestStatus {
  /** Asked, not decided yet. */
  PENDING,
  /** Approved, and its period has not ended: its principal reads the table. */
  APPROVED,
  /** Denied. */
  DENIED,
  /** Approved, and its period has ended: it grants nothing any more. */
  EXPIRED;

  /** The name people read and type: {@code pending}. */
  public String label() {
    return Labels.of(this);
  }

  /**
   * The status a label names, in either case.
   *
   * @throws IllegalArgumentException naming the allowed labels when none matches
   */
  public static AccessRequestStatus fromLabel(String label) {
    return Labels.find(AccessRequestStatus.class, label)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Unknown access request status '"
                        + label
                        + "': use pending, approved, denied or expired"));
  }
}
