package dev.sluice.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice against a baseline, run after run, alternating which of the two goes first so that neither
 * always meets a warm page cache first. Each run returns its times by name (a total and one per
 * table or query); the times of the warm-up runs are dropped.
 */
public final class AlternatingRuns {
  private static final Logger LOG = LoggerFactory.getLogger(AlternatingRuns.class);

  private final Map<String, List<Double>> sluice = new LinkedHashMap<>();
  private final Map<String, List<Double>> baseline = new LinkedHashMap<>();

  private AlternatingRuns() {}

  /**
   * Runs both {@link BenchSettings#runs()} times.
   *
   * @param suite the suite's name, for the progress log
   * @param baseline the baseline's run, or null to run Sluice alone
   */
  public static AlternatingRuns run(
      BenchSettings settings,
      String suite,
      Supplier<Map<String, Double>> sluice,
      Supplier<Map<String, Double>> baseline) {
    AlternatingRuns runs = new AlternatingRuns();
    for (int run = 0; run < settings.runs(); run++) {
      boolean warmup = settings.isWarmup(run);
      boolean sluiceFirst = run % 2 == 0;
      if (sluiceFirst) {
        record(runs.sluice, sluice.get(), warmup);
      }
      if (baseline != null) {
        record(runs.baseline, baseline.get(), warmup);
      }
      if (!sluiceFirst) {
        record(runs.sluice, sluice.get(), warmup);
      }
      LOG.info("{} run {}/{} done", suite, run + 1, settings.runs());
    }
    return runs;
  }

  /** Sluice's times of {@code name}, one per measured run. */
  public List<Double> sluice(String name) {
    return sluice.get(name);
  }

  /** The baseline's times of {@code name}, one per measured run. */
  public List<Double> baseline(String name) {
    return baseline.get(name);
  }

  private static void record(
      Map<String, List<Double>> into, Map<String, Double> run, boolean warmup) {
    if (!warmup) {
      run.forEach((name, millis) -> into.computeIfAbsent(name, k -> new ArrayList<>()).add(millis));
    }
  }
}
