package dev.sluice.bench;

import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.BenchSettings.Suite;
import dev.sluice.bench.report.ReferenceChoice;
import dev.sluice.bench.report.RegressionCheck;
import dev.sluice.bench.report.Report;
import dev.sluice.bench.report.ScaleReport;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.report.TargetCheck;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench}: runs the benchmark suites and writes their report. */
@Command(
    name = "sluice bench",
    mixinStandardHelpOptions = true,
    description =
        "Measures Sluice against DuckDB directly and Spark local on TPC-H (ingest, transform),"
            + " and its own orchestration and startup costs. Writes report.md, results.json and"
            + " charts.")
public final class BenchCommand implements Callable<Integer> {
  /** Every target met and, with {@code --fail-on-regression}, no figure regressed. */
  static final int OK = 0;

  /** A target was missed. */
  static final int TARGET_MISSED = 1;

  /** With {@code --fail-on-regression}: a figure more than 10 % worse than the reference's. */
  static final int REGRESSION = 3;

  @Option(
      names = "--scale",
      split = ",",
      defaultValue = "1",
      description =
          "TPC-H scale factor (default: ${DEFAULT-VALUE}); the environments suite's sizes are"
              + " multiplied by it. Several, comma-separated (e.g. 0.1,1,10), run the suites at"
              + " each scale, one report per scale in sf-<scale>/ under --output, and write a"
              + " report of cost against scale beside them.")
  List<Double> scales;

  @Option(
      names = "--suite",
      split = ",",
      defaultValue = "ingest,transform,orchestrate,startup",
      description =
          "Suites to run, comma-separated: ingest, transform, orchestrate, startup, connectors,"
              + " micro, maintenance, anomaly, unit, server, engines, workers, environments"
              + " (default: all but connectors, micro, maintenance, anomaly, unit, server, engines,"
              + " workers and environments).")
  List<String> suites;

  @Option(
      names = "--baselines",
      split = ",",
      defaultValue = "duckdb,spark",
      description =
          "Systems to compare with, comma-separated: duckdb, spark (default: both); 'none' for none.")
  List<String> baselines;

  @Option(
      names = "--repetitions",
      defaultValue = "3",
      description = "Timed runs of each measurement (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(
      names = "--warmups",
      defaultValue = "1",
      description = "Untimed warm-up runs before them (default: ${DEFAULT-VALUE}).")
  int warmups;

  @Option(names = "--output", description = "Report directory (default: bench/results/<today>).")
  Path output;

  @Option(
      names = "--work",
      description =
          "Directory for generated data and projects, reused across runs (default: bench/work).")
  Path work;

  @Option(
      names = "--sluice-home",
      description =
          "The Sluice checkout (default: the sluice.home property, else the current directory).")
  Path sluiceHome;

  @Option(
      names = "--compare",
      paramLabel = "DIR",
      description =
          "The report to compare with (a directory holding a results.json); 'none' for no"
              + " comparison (default: the newest reference report under bench/results at the"
              + " same scale with a suite in common).")
  String compare;

  @Option(
      names = "--reference",
      description =
          "Mark this report as a reference report (\"reference\": true in results.json): later"
              + " runs compare with it by default. For runs on a quiet machine.")
  boolean reference;

  @Option(
      names = "--fail-on-regression",
      description =
          "Exit with code 3 when a figure is more than 10 %% worse than the reference report's"
              + " (for CI).")
  boolean failOnRegression;

  @Option(
      names = "--combine",
      split = ",",
      paramLabel = "DIR",
      description =
          "Run nothing: write the report of cost against scale (ingest and transform, Sluice /"
              + " DuckDB-direct) into --output from these reports, e.g. one per scale.")
  List<Path> combine;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // The CLI's jar brings its own logback.xml: name ours, so that logback does not pick at random.
    System.setProperty("logback.configurationFile", "sluice-bench-logback.xml");
    // native libraries and temporary files as for the command (docs/operations.md)
    dev.sluice.cli.NativeLibraries.prepare();
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CommandLine commandLine = new CommandLine(new BenchCommand());
    commandLine.setErr(err);
    System.exit(commandLine.execute(args));
  }

  @Override
  public Integer call() {
    Path home =
        sluiceHome != null
            ? sluiceHome
            : Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath().normalize();
    Path outputDirectory =
        output != null
            ? output
            : home.resolve("bench/results")
                .resolve(LocalDate.now(ZoneId.systemDefault()).toString());
    PrintWriter err = spec.commandLine().getErr();
    if (combine != null && !combine.isEmpty()) {
      ScaleReport scaleReport;
      try {
        scaleReport = ScaleReport.of(combine);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--combine: " + e.getMessage(), e);
      }
      scaleReport.write(outputDirectory);
      err.println("Report: " + outputDirectory.resolve("report.md"));
      return OK;
    }
    List<Double> distinctScales = scales.stream().distinct().sorted().toList();
    ReferenceChoice compareWith = referenceChoice(home);
    List<Path> reports = new ArrayList<>();
    boolean allMet = true;
    boolean regressed = false;
    for (double scale : distinctScales) {
      Path reportDirectory =
          distinctScales.size() == 1
              ? outputDirectory
              : outputDirectory.resolve(ScaleReport.directoryName(scale));
      BenchSettings settings =
          new BenchSettings(
              scale,
              parse(suites, Suite.class),
              baselines.equals(List.of("none")) ? Set.of() : parse(baselines, Baseline.class),
              repetitions,
              warmups,
              reportDirectory,
              work != null ? work : home.resolve("bench/work"),
              home);
      Report report = Benchmark.standard(settings).reporting(reference, compareWith).run();
      reports.add(reportDirectory);
      err.println("Report: " + reportDirectory.resolve("report.md"));
      allMet &= printTargets(err, report);
      regressed |= printComparison(err, report);
    }
    if (distinctScales.size() > 1) {
      ScaleReport.of(reports).write(outputDirectory);
      err.println("Cost against scale: " + outputDirectory.resolve("report.md"));
    }
    err.flush();
    if (failOnRegression && regressed) {
      return REGRESSION;
    }
    return allMet ? OK : TARGET_MISSED;
  }

  private ReferenceChoice referenceChoice(Path home) {
    if (compare == null) {
      return ReferenceChoice.newestUnder(home.resolve("bench/results"));
    }
    if (compare.equals("none")) {
      return ReferenceChoice.none();
    }
    Path directory = Path.of(compare);
    if (!Files.isRegularFile(directory.resolve("results.json"))) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--compare "
              + compare
              + ": no results.json there; give the directory of a report `sluice bench` wrote, or"
              + " 'none'");
    }
    return ReferenceChoice.directory(directory);
  }

  /** Prints each target met or missed; whether all were met. */
  private static boolean printTargets(PrintWriter err, Report report) {
    boolean allMet = true;
    for (SuiteResult suite : report.suites()) {
      for (TargetCheck target : suite.targets()) {
        err.println(
            (target.met() ? "  met     " : "  MISSED  ")
                + target.target()
                + ": "
                + target.measured());
        allMet &= target.met();
      }
    }
    return allMet;
  }

  /** Prints the comparison with the reference report; whether a figure regressed. */
  private static boolean printComparison(PrintWriter err, Report report) {
    if (report.comparison().isEmpty()) {
      err.println("  No reference report to compare with.");
      return false;
    }
    RegressionCheck check = report.comparison().get();
    err.println(
        "  Compared with "
            + check.reference().directory()
            + ": "
            + check.compared()
            + " figures, "
            + check.regressions().size()
            + " more than 10 % worse");
    for (RegressionCheck.Regression regression : check.regressions()) {
      err.println(
          String.format(
              Locale.ROOT,
              "  WORSE   %s %s %s: %.4g -> %.4g (+%.0f %%)",
              regression.current().suite(),
              regression.current().name(),
              regression.current().measure(),
              regression.reference().value(),
              regression.current().value(),
              regression.worse() * 100));
    }
    return !check.regressions().isEmpty();
  }

  private <E extends Enum<E>> Set<E> parse(List<String> names, Class<E> type) {
    Set<E> values = EnumSet.noneOf(type);
    for (String name : names) {
      try {
        values.add(Enum.valueOf(type, name.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "Unknown "
                + type.getSimpleName().toLowerCase(Locale.ROOT)
                + " '"
                + name
                + "'; choose from "
                + EnumSet.allOf(type).toString().toLowerCase(Locale.ROOT));
      }
    }
    return values;
  }
}
