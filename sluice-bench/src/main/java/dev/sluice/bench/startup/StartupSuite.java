package dev.sluice.bench.startup;

import dev.sluice.api.io.Directories;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.ChildProcess;
import dev.sluice.bench.Machine;
import dev.sluice.bench.orchestrate.SyntheticProject;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.cli.demo.DemoProject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code sluice} command as whole processes, started as the launcher starts it: the interactive
 * commands on the demo project after {@code sluice demo} ran it ({@code query}, {@code tables},
 * {@code runs}, {@code validate}), {@code plan} and {@code validate} of a 10,000-model project,
 * {@code run} of a one-model project, and {@code --version} and {@code --help} as the yardstick of
 * the JVM's and the launcher's own start. Each run is timed from process start to exit, with the
 * process's peak RSS. The commands run in turn, one of each per round, so that a machine whose load
 * changes during the suite slows them alike; the 1-minute load average before each run is recorded
 * with its figures.
 */
public final class StartupSuite {
  public static final String NAME = "startup";

  static final String VERSION = "sluice --version";
  static final String QUERY = "sluice query";
  static final String TABLES = "sluice tables";
  static final String RUNS = "sluice runs";
  static final String PLAN = "sluice plan (10,000 models)";
  static final String VALIDATE_LARGE = "sluice validate (10,000 models)";

  /** The issue-20 query: one small published table of the demo, counted. */
  static final String DEMO_QUERY = "select count(*) from published.daily_revenue";

  /** Below scale 1 (the smoke run) the one-model project stands in for the demo. */
  static final String ONE_MODEL_QUERY = "select count(*) from published.answer";

  private final BenchSettings settings;

  public StartupSuite(BenchSettings settings) {
    this.settings = settings;
  }

  public SuiteResult run() {
    Path root = settings.workDirectory().resolve("startup");
    Path demo = root.resolve("demo");
    Path demoRun = root.resolve("demo-run");
    Path oneModel = root.resolve("one-model");
    int models = largeProjectModels();
    Path large = root.resolve("models-" + models);
    try {
      Files.createDirectories(oneModel.resolve("models/published"));
      Files.writeString(oneModel.resolve("sluice.yaml"), "name: one_model\n");
      Files.writeString(oneModel.resolve("models/published/answer.sql"), "select 42 as answer\n");
      if (!Files.exists(demo.resolve("sluice.yaml"))) {
        DemoProject.create(demo);
      }
      if (!Files.exists(large.resolve("sluice.yaml"))) {
        SyntheticProject.write(large, models, "view");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the launcher archives the CLI's classes (AppCDS) on its first start after a build
    ChildProcess.run(concat(launcher(), List.of("--version")), root, 600);
    // what query, tables and runs read: the demo's tables and runs (sluice demo ingests, builds
    // and checks them, in about 40 s); in the smoke run, the one-model project's
    boolean fullDemo = settings.scale() >= 1;
    Path interactive = fullDemo ? demoRun : oneModel;
    String query = fullDemo ? DEMO_QUERY : ONE_MODEL_QUERY;
    if (fullDemo && !Files.isDirectory(demoRun.resolve("warehouse"))) {
      Directories.deleteRecursively(demoRun);
      succeed(
          "sluice demo", concat(launcher(), List.of("demo", "--dir", demoRun.toString())), root);
    } else if (!fullDemo) {
      succeed("sluice run", concat(launcher(), List.of("run", "-p", oneModel.toString())), root);
    }
    String largeName = String.format(Locale.ROOT, "%,d models", models);
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put(VERSION, List.of("--version"));
    commands.put("sluice --help", List.of("--help"));
    commands.put(QUERY, List.of("query", "-p", interactive.toString(), query));
    commands.put(TABLES, List.of("tables", "-p", interactive.toString()));
    commands.put(RUNS, List.of("runs", "-p", interactive.toString()));
    commands.put("sluice validate (demo)", List.of("validate", "-p", demo.toString()));
    commands.put(PLAN.replace("10,000 models", largeName), List.of("plan", "-p", large.toString()));
    commands.put(
        VALIDATE_LARGE.replace("10,000 models", largeName),
        List.of("validate", "-p", large.toString()));
    commands.put("sluice run (one model)", List.of("run", "-p", oneModel.toString()));
    int repetitions = Math.max(settings.repetitions(), 3);
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    Map<String, List<Double>> loads = new LinkedHashMap<>();
    Map<String, Long> peaks = new LinkedHashMap<>();
    String loadAtStart = Machine.loadAverage();
    for (int round = 0; round < settings.warmups() + repetitions; round++) {
      for (Map.Entry<String, List<String>> command : commands.entrySet()) {
        double load = Machine.loadAverageOneMinute();
        ChildProcess.Outcome outcome =
            succeed(command.getKey(), concat(launcher(), command.getValue()), root);
        if (round >= settings.warmups()) {
          samples.computeIfAbsent(command.getKey(), key -> new ArrayList<>()).add(outcome.millis());
          loads.computeIfAbsent(command.getKey(), key -> new ArrayList<>()).add(load);
          peaks.merge(command.getKey(), outcome.peakRssBytes(), Math::max);
        }
      }
    }
    SuiteResult result = new SuiteResult(NAME);
    samples.forEach(
        (name, times) -> {
          Map<String, Number> metrics = new LinkedHashMap<>();
          metrics.put("peakRssBytes", peaks.get(name));
          metrics.put("loadAverage1m", median(loads.get(name)));
          result.add(new Measurement(NAME, name, "sluice", times, metrics));
        });
    double version = result.find(VERSION, "sluice").orElseThrow().medianMillis();
    latencyTarget(result, "sluice --help", "`sluice --help` under 0.6 s", 600, 0);
    latencyTarget(
        result, "sluice validate (demo)", "`sluice validate` of the demo under 2 s", 2000, 0);
    latencyTarget(result, QUERY, "`sluice query \"" + query + "\"`", 800, version);
    latencyTarget(result, TABLES, "`sluice tables` on the demo", 600, version);
    latencyTarget(result, RUNS, "`sluice runs` on the demo", 500, version);
    if (models == LARGE_PROJECT_MODELS) {
      latencyTarget(result, PLAN, "`sluice plan` of 10,000 models", 2000, 0);
      latencyTarget(result, VALIDATE_LARGE, "`sluice validate` of 10,000 models", 1000, 0);
    }
    result.note(
        "Started by the `./sluice` launcher, as a user starts it (its class data sharing archive"
            + " made before the timing; the short commands, `query` among them, on the C1 compiler"
            + " and the serial collector, `run` on the parallel one), or as `java"
            + " -XX:+UseParallelGC -cp ... SluiceCommand` when the CLI jar is not built. The"
            + " commands run in turn, one of each per round. `query`, `tables` and `runs` read "
            + (fullDemo
                ? "the project `sluice demo` builds (run once, then kept under --work)"
                : "the one-model project after its run (below scale 1, instead of the demo)")
            + "; `validate (demo)` reads the demo's files; the "
            + largeName
            + " project is the orchestration suite's (views in chains, fan-out and diamonds)."
            + " Load average at the start: "
            + loadAtStart
            + "; at the end: "
            + Machine.loadAverage()
            + "; each figure's median 1-minute load average is in its row.");
    return result;
  }

  /** 10,000 models at scale 1 and above; fewer below (the smoke run), at least 100. */
  private int largeProjectModels() {
    return (int)
        Math.max(100, Math.min(LARGE_PROJECT_MODELS, LARGE_PROJECT_MODELS * settings.scale()));
  }

  private static final int LARGE_PROJECT_MODELS = 10_000;

  /**
   * A target on a command's median time: under {@code limitMillis}, and, when {@code versionMillis}
   * is positive, at most twice {@code sluice --version}'s median in the same run.
   */
  private static void latencyTarget(
      SuiteResult result, String name, String what, double limitMillis, double versionMillis) {
    double median = result.find(name, "sluice").orElseThrow().medianMillis();
    String target =
        String.format(Locale.ROOT, "%s under %.1f s", what, limitMillis / 1000)
            + (versionMillis > 0 ? " and at most 2 × `sluice --version`" : "");
    String measured =
        String.format(Locale.ROOT, "%.2f s", median / 1000)
            + (versionMillis > 0
                ? String.format(Locale.ROOT, " (%.2f × `--version`)", median / versionMillis)
                : "");
    boolean met = median < limitMillis && (versionMillis <= 0 || median <= 2 * versionMillis);
    result.target(target, measured, met);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static ChildProcess.Outcome succeed(String name, List<String> line, Path directory) {
    ChildProcess.Outcome outcome = ChildProcess.run(line, directory, 900);
    if (outcome.exitCode() != 0) {
      throw new IllegalStateException(
          name + " exited with " + outcome.exitCode() + ":\n" + outcome.output());
    }
    return outcome;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private List<String> launcher() {
    Path jar = settings.sluiceHome().resolve("sluice-cli/target/sluice.jar");
    Path script = settings.sluiceHome().resolve("sluice");
    if (Files.exists(jar) && Files.isRegularFile(script)) {
      return List.of("bash", script.toString());
    }
    List<String> command =
        new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-XX:+UseParallelGC"));
    if (Files.exists(jar)) {
      command.addAll(List.of("-jar", jar.toString()));
    } else {
      command.addAll(
          List.of("-cp", System.getProperty("java.class.path"), "dev.sluice.cli.SluiceCommand"));
    }
    return command;
  }
}
