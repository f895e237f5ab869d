package dev.sluice.api;

import java.util.Locale;
import java.util.Optional;

/** The zones of a warehouse, each an Iceberg namespace. */
public enum Zone {
  /** Landing zone: data as ingested from sources, restricted. */
  RAW,
  /** Validated and cleaned data. */
  CURATED,
  /** Documented, governed datasets that consumers read. */
  PUBLISHED;

  /** The namespace name, e.g. {@code curated}. */
  public String namespace() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Zone> fromName(String name) {
    for (Zone zone : values()) {
      if (zone.namespace().equalsIgnoreCase(name)) {
        return Optional.of(zone);
      }
    }
    return Optional.empty();
  }
}
