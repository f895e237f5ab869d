package dev.sluice.connector.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the files of a test's Sluice project. It lives in the testkit, which depends only on the
 * API and the engine, so that the tests of every module (core, the CLI and each connector) can
 * share it.
 */
public final class ProjectFiles {
  private ProjectFiles() {}

  /**
   * Writes a file of the project, e.g. {@code write(project, "models/orders.sql", "select 1")},
   * creating its directories first and replacing the file if it exists.
   *
   * @return the file written
   * @throws IOException if the file or its directories cannot be written
   */
  public static Path write(Path project, String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    return path;
  }
}
