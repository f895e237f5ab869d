package dev.sluice.bench;

import static java.util.Objects.requireNonNull;

import dev.sluice.bench.BenchSettings.Suite;
import dev.sluice.bench.connectors.ConnectorsSuite;
import dev.sluice.bench.ingest.IngestSuite;
import dev.sluice.bench.maintain.MaintenanceSuite;
import dev.sluice.bench.micro.MicroSuite;
import dev.sluice.bench.orchestrate.OrchestrationSuite;
import dev.sluice.bench.report.ReferenceChoice;
import dev.sluice.bench.report.Report;
import dev.sluice.bench.report.ReportFigures;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.server.ServerSuite;
import dev.sluice.bench.startup.StartupSuite;
import dev.sluice.bench.transform.TransformSuite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the chosen suites, in a fixed order, and collects their results into a report. */
public final class Benchmark {
  private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);

  private final BenchSettings settings;
  private final List<Integer> planSizes;
  private final int noOpAssets;
  private final boolean reference;
  private final ReferenceChoice compareWith;

  /**
   * @param planSizes project sizes of the orchestration suite's load-and-plan measurement
   * @param noOpAssets how many no-op models the orchestration suite runs per materialization
   */
  public Benchmark(BenchSettings settings, List<Integer> planSizes, int noOpAssets) {
    this(settings, planSizes, noOpAssets, false, ReferenceChoice.none());
  }

  private Benchmark(
      BenchSettings settings,
      List<Integer> planSizes,
      int noOpAssets,
      boolean reference,
      ReferenceChoice compareWith) {
    this.settings = requireNonNull(settings, "settings is null");
    this.planSizes = List.copyOf(planSizes);
    this.noOpAssets = noOpAssets;
    this.reference = reference;
    this.compareWith = requireNonNull(compareWith, "compareWith is null");
  }

  /**
   * This benchmark writing a report compared with the one {@code compareWith} picks, marked as a
   * reference report when {@code reference}.
   */
  public Benchmark reporting(boolean reference, ReferenceChoice compareWith) {
    return new Benchmark(settings, planSizes, noOpAssets, reference, compareWith);
  }

  public static Benchmark standard(BenchSettings settings) {
    return new Benchmark(settings, List.of(1_000, 10_000), 100);
  }

  public Report run() {
    Instant started = Instant.now();
    Map<String, String> machine = Machine.describe();
    List<SuiteResult> results = new ArrayList<>();
    TpchWorkspace tpch = new TpchWorkspace(settings);
    for (Suite suite : Suite.values()) {
      if (!settings.suites().contains(suite)) {
        continue;
      }
      LOG.info("Running the {} suite ...", suite.name().toLowerCase(Locale.ROOT));
      results.add(
          switch (suite) {
            case INGEST -> new IngestSuite(settings, tpch).run();
            case TRANSFORM -> new TransformSuite(settings, tpch).run();
            case ORCHESTRATE -> new OrchestrationSuite(settings, planSizes, noOpAssets).run();
            case STARTUP -> new StartupSuite(settings).run();
            case CONNECTORS -> new ConnectorsSuite(settings).run();
            case MICRO -> new MicroSuite(settings, TimeValue.seconds(1)).run();
            case MAINTENANCE -> new MaintenanceSuite(settings).run();
            case ANOMALY -> new dev.sluice.bench.quality.AnomalySuite().run();
            case UNIT -> new dev.sluice.bench.quality.UnitTestSuite(settings).run();
            case SERVER -> new ServerSuite(settings).run();
            case MEMORY -> new ConnectorsSuite(settings).runMemoryCeiling();
            case ENGINES -> new dev.sluice.bench.spark.EngineSuite(settings, tpch).run();
            case WORKERS -> new dev.sluice.bench.orchestrate.WorkersSuite(settings).run();
            case ENVIRONMENTS -> new dev.sluice.bench.env.EnvironmentSuite(settings).run();
          });
    }
    machine.put(ReportFigures.LOAD_AT_END, Machine.loadAverage());
    Map<String, String> echoed = new LinkedHashMap<>();
    echoed.put("scale", String.valueOf(settings.scale()));
    echoed.put("suite", join(settings.suites()));
    echoed.put("baselines", join(settings.baselines()));
    echoed.put("repetitions", String.valueOf(settings.repetitions()));
    echoed.put("warmups", String.valueOf(settings.warmups()));
    Report report = new Report(started, machine, echoed, results);
    if (reference) {
      report = report.asReference();
    }
    Set<String> suites = new HashSet<>();
    results.forEach(result -> suites.add(result.suite()));
    report =
        report.comparedWith(
            compareWith.reference(settings.scale(), suites, settings.outputDirectory()),
            settings.outputDirectory());
    report.write(settings.outputDirectory());
    return report;
  }

  private static String join(Set<? extends Enum<?>> values) {
    return values.stream()
        .sorted()
        .map(value -> value.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(","));
  }
}
