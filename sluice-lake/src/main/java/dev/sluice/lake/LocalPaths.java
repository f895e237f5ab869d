package dev.sluice.lake;

import java.net.URI;
import java.nio.file.Path;

/** Converts between Iceberg locations and local paths. */
final class LocalPaths {
  private LocalPaths() {}

  static String toLocalPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location)).toString();
    }
    return location;
  }
}
