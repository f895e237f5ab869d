package dev.sluice.connector.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of a child JVM that a test starts, and often kills: this JDK, this class path, and a
 * temporary directory under the module's {@code target/}. DuckDB's driver unpacks its 70 MB library
 * into {@code java.io.tmpdir} at every start and deletes it only when the JVM exits normally, so
 * each killed child would leave one in the machine's {@code /tmp} (571 of them filled a disk once);
 * under {@code target/} they go with the build.
 */
public final class ChildJava {

  private ChildJava() {}

  /**
   * {@code java <options> -cp <class path> <main> <arguments>} with its own temporary directory.
   */
  public static List<String> command(List<String> options, Class<?> main, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djava.io.tmpdir=" + temporaryDirectory());
    command.addAll(options);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(arguments));
    return command;
  }

  /** {@code java -cp <class path> <main> <arguments>} with its own temporary directory. */
  public static List<String> command(Class<?> main, String... arguments) {
    return command(List.of(), main, arguments);
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createDirectories(
          Path.of(System.getProperty("user.dir"), "target", "child-tmp").toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
