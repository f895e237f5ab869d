package dev.sluice.bench.connectors;

import dev.sluice.bench.SluiceLoad;
import dev.sluice.core.run.StepResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of the connectors suite's memory measurement: loads one source table of a project
 * and prints {@value #LOADED} with the step's status and rows, which the suite reads back. Exits 1
 * when the load fails; an {@link OutOfMemoryError} ends the JVM (it is started with {@code
 * -XX:+ExitOnOutOfMemoryError}).
 */
public final class LoadInChildProcess {
  static final String LOADED = "loaded";

  private LoadInChildProcess() {}

  /**
   * Loads one asset of a project and exits.
   *
   * @param args the project directory and the asset, e.g. {@code pg.big}
   */
  public static void main(String[] args) {
    // the child's output is what the suite parses: its protocol, like a CLI's stdout
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try {
      StepResult step = SluiceLoad.openRunClose(Path.of(args[0]), args[1]);
      out.println(LOADED + " " + step.asset() + " " + step.status() + " " + step.rowsOut());
    } catch (RuntimeException e) {
      out.println("failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
