package dev.sluice.bench.spark;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark baseline of {@code sluice bench}, run in its own JVM. It reads a job file (Java
 * properties) and writes one line per timed operation to the job's output file: {@code
 * run<TAB>name<TAB>millis<TAB>rows}, and finally {@code rss<TAB>bytes} (its peak resident set).
 *
 * <p>Jobs: {@code ingest} reads the TPC-H CSV files with a declared schema and writes Iceberg
 * tables; {@code transform} runs SQL files over Iceberg tables and collects their results. Both use
 * an Iceberg {@code JdbcCatalog} (SQLite) registered as the Spark catalog {@code sluice} (the name Sluice gives its JdbcCatalog, which the catalog tables record).
 */
public final class SparkRunner {
  private SparkRunner() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: SparkRunner JOB.properties");
      System.exit(2);
    }
    Properties job = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      job.load(in);
    }
    SparkSession spark =
        SparkSession.builder()
            .master(job.getProperty("master", "local[2]"))
            .appName("sluice-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.catalog.sluice", "org.apache.iceberg.spark.SparkCatalog")
            .config("spark.sql.catalog.sluice.catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
            .config("spark.sql.catalog.sluice.uri", job.getProperty("catalog.uri"))
            .config("spark.sql.catalog.sluice.warehouse", job.getProperty("warehouse"))
            .config("spark.sql.catalog.sluice.jdbc.schema-version", "V1")
            .config(
                "spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
            .getOrCreate();
    int runs = Integer.parseInt(job.getProperty("runs", "1"));
    Path output = Path.of(job.getProperty("output"));
    try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      for (int run = 0; run < runs; run++) {
        switch (job.getProperty("mode")) {
          case "ingest" -> ingest(spark, job, run, out);
          case "transform" -> transform(spark, job, run, out);
          default -> throw new IllegalArgumentException("Unknown mode " + job.getProperty("mode"));
        }
        out.flush();
      }
      spark.stop();
      out.write("rss\t" + peakRss() + "\n");
    }
  }

  private static void ingest(SparkSession spark, Properties job, int run, Writer out)
      throws IOException {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS sluice.raw");
    long total = System.nanoTime();
    long totalRows = 0;
    for (String table : job.getProperty("tables").split(",")) {
      long started = System.nanoTime();
      Dataset<Row> rows =
          spark
              .read()
              .schema(job.getProperty("schema." + table))
              .option("header", "true")
              .csv(job.getProperty("csv." + table));
      rows.writeTo("sluice.raw." + table).using("iceberg").createOrReplace();
      long count = Long.parseLong(job.getProperty("rows." + table, "-1"));
      totalRows += Math.max(0, count);
      line(out, run, table, started, count);
    }
    line(out, run, "total", total, totalRows);
  }

  private static void transform(SparkSession spark, Properties job, int run, Writer out)
      throws IOException {
    List<Path> queries = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(job.getProperty("queries")))) {
      files.filter(f -> f.toString().endsWith(".sql")).sorted().forEach(queries::add);
    }
    long total = System.nanoTime();
    for (Path query : queries) {
      String name = query.getFileName().toString().replace(".sql", "");
      long started = System.nanoTime();
      List<Row> rows = spark.sql(Files.readString(query)).collectAsList();
      line(out, run, name, started, rows.size());
    }
    line(out, run, "total", total, queries.size());
  }

  private static void line(Writer out, int run, String name, long started, long rows)
      throws IOException {
    double millis = (System.nanoTime() - started) / 1e6;
    out.write(String.format(Locale.ROOT, "%d\t%s\t%.3f\t%d%n", run, name, millis, rows));
  }

  private static long peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
