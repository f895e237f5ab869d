package dev.sluice.engine.spark;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepKind;
import java.nio.file.Path;

/** A child process for {@link SparkKillAndResumeTest}: runs a project, printing its progress. */
public final class RunInChildProcess {
  private RunInChildProcess() {}

  public static void main(String[] args) {
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      new Runner(workspace)
          .run(
              RunOptions.all(),
              new RunListener() {
                @Override
                public void runStarted(String runId, int steps) {
                  System.out.println("run " + runId);
                  System.out.flush();
                }

                @Override
                public void stepStarted(String asset, StepKind kind) {
                  System.out.println("started " + asset);
                  System.out.flush();
                }

                @Override
                public void stepFinished(StepResult result) {
                  System.out.println("finished " + result.asset() + " " + result.status());
                  System.out.flush();
                }
              });
    }
  }
}
