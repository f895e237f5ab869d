package dev.sluice.bench;

import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.BenchSettings.Suite;
import dev.sluice.bench.report.Report;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.report.TargetCheck;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
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
  @Option(
      names = "--scale",
      defaultValue = "1",
      description =
          "TPC-H scale factor (default: ${DEFAULT-VALUE}); the environments suite's sizes are"
              + " multiplied by it.")
  double scale;

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
    BenchSettings settings =
        new BenchSettings(
            scale,
            parse(suites, Suite.class),
            baselines.equals(List.of("none")) ? Set.of() : parse(baselines, Baseline.class),
            repetitions,
            warmups,
            output != null
                ? output
                : home.resolve("bench/results")
                    .resolve(LocalDate.now(ZoneId.systemDefault()).toString()),
            work != null ? work : home.resolve("bench/work"),
            home);
    Report report = Benchmark.standard(settings).run();
    PrintWriter err = spec.commandLine().getErr();
    err.println("Report: " + settings.outputDirectory().resolve("report.md"));
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
    err.flush();
    return allMet ? 0 : 1;
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
