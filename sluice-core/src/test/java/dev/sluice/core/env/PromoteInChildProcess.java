package dev.sluice.core.env;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child process for {@link PromotionKilledTest}: promotes an environment, printing {@code moving
 * TABLE} before each table's main moves; before the table numbered {@code args[2]} (from 0) it
 * prints {@code waiting} and waits for ever, for the parent to kill it there.
 */
public final class PromoteInChildProcess {
  private PromoteInChildProcess() {}

  public static void main(String[] args) throws InterruptedException {
    Path project = Path.of(args[0]);
    String environment = args[1];
    int stopBefore = Integer.parseInt(args[2]);
    AtomicInteger moves = new AtomicInteger();
    try (Workspace workspace = Workspace.open(project)) {
      new Promotions(workspace)
          .beforeMove(
              table -> {
                System.out.println("moving " + table);
                if (moves.getAndIncrement() == stopBefore) {
                  System.out.println("waiting");
                  System.out.flush();
                  try {
                    Thread.sleep(Long.MAX_VALUE);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                System.out.flush();
              })
          .promote(environment, RunListener.NONE);
      System.out.println("promoted");
      System.out.flush();
    }
  }
}
