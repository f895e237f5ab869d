package dev.sluice.cli.demo;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepMetrics;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The demo's seeded metric history: {@code history/daily_revenue_metrics.csv} of the demo project
 * holds what daily_revenue's daily builds of the last 30 days wrote (one day of orders fewer per
 * day back: 701 rows 30 days ago, 730 yesterday). Before its first run the demo records them in the
 * state database as succeeded runs of the command {@value #COMMAND}, through the run store's API
 * that runs record with, so that the anomaly check on daily_revenue's row count is judged against a
 * band instead of passing for too little history. Nothing else reads these runs as real work: their
 * steps took no time and wrote no snapshot.
 */
public final class DemoHistory {
  /** The command the seeded runs are recorded as, which {@code sluice runs} shows. */
  public static final String COMMAND = "demo-seeded-history";

  static final String FILE = "history/daily_revenue_metrics.csv";
  private static final String ASSET = "daily_revenue";
  private static final String TABLE = "published.daily_revenue";

  private DemoHistory() {}

  /**
   * Records the project's seeded history in the run store, unless the table has metric history
   * already (the demo ran in this directory before).
   *
   * @return how many days of history were recorded: 0 when there was history already
   * @throws UncheckedIOException when the history file cannot be read
   */
  public static int seed(Path project, RunStore store, Instant now) {
    requireNonNull(project, "project is null");
    requireNonNull(store, "store is null");
    requireNonNull(now, "now is null");
    if (!store.metrics().history(TABLE, null, false, 1).isEmpty()) {
      return 0;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(project.resolve(FILE), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the demo's " + FILE + ": " + e.getMessage(), e);
    }
    int days = 0;
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] values = line.split(",", -1);
      Instant at = now.minus(Duration.ofDays(Long.parseLong(values[0].strip())));
      long rows = Long.parseLong(values[1].strip());
      long bytes = Long.parseLong(values[2].strip());
      long files = Long.parseLong(values[3].strip());
      store.inOneTransaction(
          "seed the demo's history of " + TABLE,
          () -> {
            String runId = store.runs().startRun(COMMAND, List.of(ASSET), at);
            long stepId = store.steps().startStep(runId, ASSET, StepKind.MODEL, at);
            store
                .steps()
                .finishStep(
                    stepId,
                    StepStatus.SUCCEEDED,
                    at,
                    new StepMetrics(0, rows, 0, bytes, 0, null, "seeded history"),
                    null);
            store
                .metrics()
                .record(
                    stepId,
                    ASSET,
                    new TableProfile(TABLE, null, rows, bytes, files, List.of()),
                    at);
            store.runs().finishRun(runId, RunStatus.SUCCEEDED, at, null);
            return null;
          });
      days++;
    }
    return days;
  }
}
