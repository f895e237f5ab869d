package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import java.nio.file.Path;
import org.apache.iceberg.events.CreateSnapshotEvent;
import org.apache.iceberg.events.Listeners;

/**
 * A child process that runs a project and stops, for the parent test to kill it, at the moment a
 * snapshot of one table is about to be committed (Iceberg announces it when the snapshot is staged,
 * before the transaction that holds it commits). Prints {@code committing <table>} then.
 */
public final class RunUntilCommit {
  private RunUntilCommit() {}

  /**
   * @param args the project directory and the table ({@code zone.name}) to stop at
   */
  public static void main(String[] args) {
    String table = args[1];
    Listeners.register(
        event -> {
          // a catalog's table is named catalog.zone.name; a table being created zone.name
          if (event.tableName().equals(table) || event.tableName().endsWith("." + table)) {
            System.out.println("committing " + table);
            System.out.flush();
            while (true) {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        },
        CreateSnapshotEvent.class);
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      new Runner(workspace).run(RunOptions.all(), RunInChildProcess.PRINTING);
    }
    System.out.println("done");
  }
}
