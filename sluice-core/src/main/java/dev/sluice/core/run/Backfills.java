package dev.sluice.core.run;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import java.util.ArrayList;
import java.util.List;

/** What a backfill builds: the partitioned models of its selection. */
public final class Backfills {
  private Backfills() {}

  /**
   * The partitioned models a backfill with {@code options} builds, in the order it builds them.
   *
   * @throws InvalidInputException when the selection is empty or holds no partitioned model
   */
  public static List<String> partitionedModels(
      Workspace workspace, Runner runner, RunOptions options) {
    if (options.select().isEmpty()) {
      throw new InvalidInputException(
          "Say what to backfill with a selection, e.g. sluice backfill --select daily_revenue"
              + " --from 2024-01-01 --to 2024-02-01");
    }
    List<String> partitioned = new ArrayList<>();
    for (String asset : runner.plan(options)) {
      ModelDef model = workspace.project().models().get(asset);
      if (model != null && model.partitioned()) {
        partitioned.add(asset);
      }
    }
    if (partitioned.isEmpty()) {
      throw new InvalidInputException(
          "Nothing to backfill: the selection has no partitioned model (a model with"
              + " 'partitions:' in its properties); 'sluice run' builds the others");
    }
    return partitioned;
  }
}
