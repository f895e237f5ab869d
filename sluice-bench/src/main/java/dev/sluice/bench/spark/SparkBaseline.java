package dev.sluice.bench.spark;

import static java.util.Objects.requireNonNull;

import dev.sluice.bench.ChildProcess;
import dev.sluice.engine.spark.LocalSparkConnectServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark 4 local[2] with the Iceberg runtime, run in a child JVM from the separate Maven project
 * {@code sluice-bench/spark-runner} (built on first use; its jars come from Maven Central). Spark's
 * dependencies (Jackson 2.18 with its Scala module, Hadoop, Parquet) never share a classpath with
 * Sluice's.
 */
public final class SparkBaseline {
  private static final Logger LOG = LoggerFactory.getLogger(SparkBaseline.class);

  private final Path project;
  private final String heap;

  /**
   * @param sluiceHome the Sluice checkout, which holds {@code sluice-bench/spark-runner}
   * @param heap the child's maximum heap, e.g. {@code 8g}
   */
  public SparkBaseline(Path sluiceHome, String heap) {
    this.project =
        requireNonNull(sluiceHome, "sluiceHome is null").resolve("sluice-bench/spark-runner");
    this.heap = requireNonNull(heap, "heap is null");
  }

  /**
   * What one Spark job measured.
   *
   * @param millis per name (a table, a query or {@code total}), one list entry per timed run
   * @param rows per name, the rows of the last run
   * @param peakRssBytes the child's peak resident set size
   */
  public record Result(
      Map<String, List<Double>> millis, Map<String, Long> rows, long peakRssBytes) {}

  /** Builds the runner project unless it was built before. */
  public void ensureBuilt() {
    if (Files.exists(project.resolve("target/spark-runner.jar"))) {
      return;
    }
    LOG.info(
        "Building the Spark baseline (first use only; downloads Spark from Maven Central) ...");
    Path mvnw = project.getParent().getParent().resolve("mvnw");
    ChildProcess.Outcome outcome =
        ChildProcess.run(
            List.of(
                mvnw.toString(),
                "-q",
                "-B",
                "-f",
                project.resolve("pom.xml").toString(),
                "package"),
            project,
            3600);
    if (outcome.exitCode() != 0) {
      throw new IllegalStateException("Cannot build the Spark baseline:\n" + outcome.output());
    }
  }

  /**
   * Runs a job: {@code warmups} untimed runs then {@code repetitions} timed ones, in one JVM.
   *
   * @param properties the job (see SparkRunner): mode, catalog.uri, warehouse, and the mode's keys
   */
  public Result run(
      Map<String, String> properties, int warmups, int repetitions, Path workDirectory) {
    ensureBuilt();
    try {
      Files.createDirectories(workDirectory);
      Path jobFile = workDirectory.resolve("spark-job.properties");
      Path output = workDirectory.resolve("spark-output.tsv");
      Files.deleteIfExists(output);
      Properties job = new Properties();
      job.putAll(properties);
      job.setProperty("runs", String.valueOf(warmups + repetitions));
      job.setProperty("output", output.toString());
      try (Writer out = Files.newBufferedWriter(jobFile, StandardCharsets.UTF_8)) {
        job.store(out, "sluice bench: Spark job");
      }
      List<String> command = new ArrayList<>();
      command.add(ChildProcess.javaExecutable());
      command.add("-Xmx" + heap);
      command.addAll(LocalSparkConnectServer.javaOptions());
      command.add("-cp");
      command.add(
          project.resolve("target/spark-runner.jar") + ":" + project.resolve("target/lib") + "/*");
      command.add("dev.sluice.bench.spark.SparkRunner");
      command.add(jobFile.toString());
      ChildProcess.Outcome outcome = ChildProcess.run(command, workDirectory, 4 * 3600);
      if (outcome.exitCode() != 0) {
        throw new IllegalStateException(
            "The Spark baseline failed (exit "
                + outcome.exitCode()
                + "):\n"
                + tail(outcome.output()));
      }
      return parse(Files.readAllLines(output), warmups, outcome.peakRssBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result parse(List<String> lines, int warmups, long sampledRss) {
    Map<String, List<Double>> millis = new LinkedHashMap<>();
    Map<String, Long> rows = new LinkedHashMap<>();
    long rss = sampledRss;
    for (String line : lines) {
      String[] fields = line.split("\t", -1);
      if (fields[0].equals("rss")) {
        rss = Math.max(rss, Long.parseLong(fields[1]));
        continue;
      }
      int run = Integer.parseInt(fields[0]);
      if (run < warmups) {
        continue;
      }
      millis.computeIfAbsent(fields[1], k -> new ArrayList<>()).add(Double.parseDouble(fields[2]));
      rows.put(fields[1], Long.parseLong(fields[3]));
    }
    return new Result(millis, rows, rss);
  }

  private static String tail(String output) {
    return output.length() <= 4000 ? output : output.substring(output.length() - 4000);
  }
}
