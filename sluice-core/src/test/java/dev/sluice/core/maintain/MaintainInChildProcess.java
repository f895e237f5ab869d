package dev.sluice.core.maintain;

import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.TableMaintenance.Operation;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

/**
 * A child process for {@link KillDuringMaintenanceTest}: loads small files and compacts them, over
 * and over, printing {@code loaded N}, {@code before-commit} (its files written, its commit next)
 * and {@code compacted}, for the parent to kill it at those moments.
 */
public final class MaintainInChildProcess {
  private MaintainInChildProcess() {}

  public static void main(String[] args) throws IOException {
    Path project = Path.of(args[0]);
    Files.createDirectories(project.resolve("data"));
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      TableMaintenance maintenance =
          new TableMaintenance(
              workspace,
              Clock.systemUTC(),
              () -> {
                System.out.println("before-commit");
                System.out.flush();
              });
      for (int round = 0; ; round++) {
        for (int i = 0; i < 2; i++) {
          int file = round * 2 + i;
          Files.writeString(
              project.resolve("data/load" + file + ".csv"),
              "id\n" + (file * 2) + "\n" + (file * 2 + 1) + "\n");
          new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
          System.out.println("loaded " + file);
          System.out.flush();
        }
        maintenance.run(
            new TableMaintenance.Request(
                EnumSet.of(round % 2 == 0 ? Operation.COMPACT : Operation.SORT), false, Set.of()));
        System.out.println("compacted");
        System.out.flush();
      }
    }
  }
}
