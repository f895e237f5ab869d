package dev.sluice.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the {@code ./sluice} launcher runs once after a build, in the JVM that writes the class data
 * sharing archive ({@code -XX:ArchiveClassesAtExit}): the commands people start most, one after the
 * other in one process, on a project that {@code sluice init} scaffolded, so that the archive holds
 * the classes of each of them (Java 17 archives the classes one process loaded). Not a user
 * command; its output is discarded.
 */
public final class CdsTraining {
  private CdsTraining() {}

  /**
   * Runs the commands on the project.
   *
   * @param args the scaffolded project's directory
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CdsTraining PROJECT_DIRECTORY");
    }
    System.setProperty(LogConfigurator.PROPERTY, "true");
    NativeLibraries.prepare();
    String project = args[0];
    List<List<String>> commands =
        List.of(
            List.of("validate"),
            List.of("run"),
            List.of("plan"),
            List.of("query", "select count(*) from curated.example_clean"),
            List.of("tables"),
            List.of("runs"),
            List.of("lineage", "example_clean"));
    PrintWriter discard =
        new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    int failures = 0;
    for (List<String> command : commands) {
      String[] line =
          java.util.stream.Stream.concat(
                  command.stream(), java.util.stream.Stream.of("-p", project))
              .toArray(String[]::new);
      if (SluiceCommand.execute(line, discard, discard) != 0) {
        failures++;
      }
    }
    // the archive is written at exit whatever the outcome; a failed command only archives less
    System.exit(failures == 0 ? 0 : 1);
  }
}
