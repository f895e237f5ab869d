package dev.sluice.lake;

import org.apache.iceberg.exceptions.NotFoundException;

/**
 * A table or view metadata file that cannot be used: missing, not JSON, or outside the warehouse.
 * It extends Iceberg's {@link NotFoundException} because Iceberg retries every other failure to
 * read a metadata file (20 times with backoff, 92 s for a truncated file) and stops at once on this
 * one; {@link Lake} turns it into a {@link DamagedTableException} or {@link
 * WarehouseMovedException}.
 */
final class UnreadableMetadataException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  enum Reason {
    MISSING,
    NOT_JSON,
    OUTSIDE_WAREHOUSE
  }

  private final Reason reason;
  private final String location;

  UnreadableMetadataException(Reason reason, String location, String detail) {
    super("%s: %s", location, detail);
    this.reason = reason;
    this.location = location;
  }

  Reason reason() {
    return reason;
  }

  String location() {
    return location;
  }
}
