package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process for {@link BackfillKillAndRecoverTest}: backfills every partition of the model
 * named in {@code args[1]}, one step at a time, printing its progress.
 */
public final class BackfillInChildProcess {
  private BackfillInChildProcess() {}

  public static void main(String[] args) {
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      new Runner(workspace)
          .run(
              new RunOptions(
                  List.of(args[1]),
                  List.of(),
                  false,
                  new PartitionSelection(PartitionSelection.Mode.ALL, null, null, List.of(), 1),
                  1),
              RunInChildProcess.PRINTING,
              "backfill " + args[1]);
    }
  }
}
