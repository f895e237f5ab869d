package dev.sluice.bench.startup;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.ChildProcess;
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
 * The {@code sluice} command as whole processes, started as the launcher starts it: {@code --help},
 * {@code validate} of the demo project and {@code run} of a one-model project. Each run is timed
 * from process start to exit, with the process's peak RSS.
 */
public final class StartupSuite {
  public static final String NAME = "startup";

  private final BenchSettings settings;

  public StartupSuite(BenchSettings settings) {
    this.settings = settings;
  }

  public SuiteResult run() {
    Path root = settings.workDirectory().resolve("startup");
    Path demo = root.resolve("demo");
    Path oneModel = root.resolve("one-model");
    try {
      if (!Files.exists(demo.resolve("sluice.yaml"))) {
        DemoProject.create(demo);
      }
      Files.createDirectories(oneModel.resolve("models/published"));
      Files.writeString(oneModel.resolve("sluice.yaml"), "name: one_model\n");
      Files.writeString(oneModel.resolve("models/published/answer.sql"), "select 42 as answer\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("sluice --help", List.of("--help"));
    commands.put("sluice validate (demo)", List.of("validate", "-p", demo.toString()));
    commands.put("sluice run (one model)", List.of("run", "-p", oneModel.toString()));
    // the launcher archives the CLI's classes (AppCDS) on its first start after a build
    ChildProcess.run(concat(launcher(), List.of("--version")), root, 600);
    SuiteResult result = new SuiteResult(NAME);
    int repetitions = Math.max(settings.repetitions(), 3);
    for (Map.Entry<String, List<String>> command : commands.entrySet()) {
      List<Double> samples = new ArrayList<>();
      long peak = -1;
      for (int run = 0; run < settings.warmups() + repetitions; run++) {
        List<String> line = new ArrayList<>(launcher());
        line.addAll(command.getValue());
        ChildProcess.Outcome outcome = ChildProcess.run(line, root, 300);
        if (outcome.exitCode() != 0) {
          throw new IllegalStateException(
              command.getKey() + " exited with " + outcome.exitCode() + ":\n" + outcome.output());
        }
        if (run >= settings.warmups()) {
          samples.add(outcome.millis());
          peak = Math.max(peak, outcome.peakRssBytes());
        }
      }
      result.add(
          new Measurement(NAME, command.getKey(), "sluice", samples, Map.of("peakRssBytes", peak)));
    }
    Measurement help = result.find("sluice --help", "sluice").orElseThrow();
    result.target(
        "`sluice --help` under 0.6 s",
        String.format(Locale.ROOT, "%.2f s", help.medianMillis() / 1000),
        help.medianMillis() < 600);
    Measurement validate = result.find("sluice validate (demo)", "sluice").orElseThrow();
    result.target(
        "`sluice validate` of the demo under 2 s",
        String.format(Locale.ROOT, "%.2f s", validate.medianMillis() / 1000),
        validate.medianMillis() < 2000);
    result.note(
        "Started by the `./sluice` launcher, as a user starts it (its class data sharing archive"
            + " made before the timing; `--help` and `validate` on the C1 compiler and the serial"
            + " collector, `run` on the parallel one), or as `java -XX:+UseParallelGC -cp ..."
            + " SluiceCommand` when the CLI jar is not built.");
    return result;
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
