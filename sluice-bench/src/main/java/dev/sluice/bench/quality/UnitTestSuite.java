package dev.sluice.bench.quality;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.ChildProcess;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Unit tests of models at the scale of a real project: 100 unit tests (10 models with 10 tests
 * each, every test with its own given and expected rows) run by one {@code sluice test --unit}
 * process, timed from process start to exit, so start-up (the JVM, loading the project, starting
 * the in-memory DuckDB) is included.
 */
public final class UnitTestSuite {
  public static final String NAME = "unit";
  static final int MODELS = 10;
  static final int TESTS_PER_MODEL = 10;

  private final BenchSettings settings;

  public UnitTestSuite(BenchSettings settings) {
    this.settings = settings;
  }

  public SuiteResult run() {
    Path project = settings.workDirectory().resolve("unit-tests");
    write(project);
    List<String> command = new ArrayList<>(launcher());
    command.addAll(List.of("test", "--unit", "-p", project.toString()));
    // the launcher archives the CLI's classes (AppCDS) on its first start after a build
    ChildProcess.run(concat(launcher(), List.of("--version")), project, 600);
    List<Double> samples = new ArrayList<>();
    int repetitions = Math.max(settings.repetitions(), 5);
    for (int run = 0; run < settings.warmups() + repetitions; run++) {
      ChildProcess.Outcome outcome = ChildProcess.run(command, project, 300);
      if (outcome.exitCode() != 0 || !outcome.output().contains("100 passed, 0 failed")) {
        throw new IllegalStateException(
            "sluice test --unit exited with " + outcome.exitCode() + ":\n" + outcome.output());
      }
      if (run >= settings.warmups()) {
        samples.add(outcome.millis());
      }
    }
    SuiteResult result = new SuiteResult(NAME);
    Measurement measurement =
        new Measurement(NAME, "sluice test --unit (100 unit tests)", "sluice", samples, Map.of());
    result.add(measurement);
    result.target(
        "100 unit tests in one `sluice test --unit` under 10 s, start-up included",
        String.format(Locale.ROOT, "%.2f s", measurement.medianMillis() / 1000),
        measurement.medianMillis() < 10_000);
    result.note(
        "One process per repetition, started by the `./sluice` launcher; "
            + MODELS
            + " models with "
            + TESTS_PER_MODEL
            + " unit tests each, each test with 5 given rows and its expected rows.");
    return result;
  }

  /** The project: one source table, ten aggregating models, ten unit tests per model. */
  static void write(Path project) {
    try {
      Files.createDirectories(project.resolve("models/published"));
      Files.createDirectories(project.resolve("sources"));
      Files.writeString(project.resolve("sluice.yaml"), "name: unit_bench\nvars: {minimum: 0}\n");
      Files.writeString(
          project.resolve("sources/shop.yaml"),
          """
          tables:
            - name: orders
              path: data/orders.csv
              columns:
                - {name: id, type: bigint}
                - {name: customer, type: varchar}
                - {name: amount, type: "decimal(10,2)"}
                - {name: ordered_at, type: timestamp}
          """);
      for (int m = 0; m < MODELS; m++) {
        Files.writeString(
            project.resolve("models/published/revenue_" + m + ".sql"),
            "select customer, count(*) as orders, sum(amount) as revenue,\n"
                + "    max(ordered_at) as last_order_at\n"
                + "from {{ source('shop', 'orders') }}\n"
                + "where amount > {{ var('minimum') }} + "
                + m
                + "\ngroup by customer\n");
        StringBuilder tests = new StringBuilder("unit_tests:\n");
        for (int t = 0; t < TESTS_PER_MODEL; t++) {
          tests.append("  - name: revenue_").append(m).append("_case_").append(t).append('\n');
          tests.append("    model: revenue_").append(m).append('\n');
          tests.append("    given:\n      - input: source('shop', 'orders')\n        rows:\n");
          long total = 0;
          for (int r = 0; r < 5; r++) {
            int amount = m + 1 + t + r * 10;
            total += amount;
            tests.append(
                String.format(
                    Locale.ROOT,
                    "          - {id: %d, customer: c%d, amount: %d, ordered_at: \"2026-01-0%d"
                        + " 10:00:00\"}%n",
                    r,
                    t,
                    amount,
                    r + 1));
          }
          tests.append("    expect:\n      rows:\n");
          tests.append(
              String.format(
                  Locale.ROOT,
                  "        - {customer: c%d, orders: 5, revenue: %d, last_order_at: \"2026-01-05"
                      + " 10:00:00\"}%n",
                  t,
                  total));
        }
        Files.writeString(
            project.resolve("models/published/revenue_" + m + "_tests.yaml"), tests.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
