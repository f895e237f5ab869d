package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import java.nio.file.Path;

/** A child process for {@link KillAndResumeTest}: runs a project, printing its progress. */
public final class RunInChildProcess {
  private RunInChildProcess() {}

  public static void main(String[] args) {
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      new Runner(workspace).run(RunOptions.all(), PRINTING);
    }
  }

  /** Prints the run id and each finished step, for the parent test to follow. */
  static final RunListener PRINTING =
      new RunListener() {
        @Override
        public void runStarted(String runId, int steps) {
          System.out.println("run " + runId);
          System.out.flush();
        }

        @Override
        public void stepFinished(StepResult result) {
          System.out.println("finished " + result.asset() + " " + result.status());
          System.out.flush();
        }
      };
}
