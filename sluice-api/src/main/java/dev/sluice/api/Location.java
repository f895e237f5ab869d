package dev.sluice.api;

import static java.util.Objects.requireNonNull;

/** A place in a project file: the file (relative to the project) and a 1-based line, or 0. */
public record Location(String file, int line) {
  public Location {
    requireNonNull(file, "file is null");
  }

  public static Location of(String file) {
    return new Location(file, 0);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
