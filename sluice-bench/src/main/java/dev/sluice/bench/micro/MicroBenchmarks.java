package dev.sluice.bench.micro;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepMetrics;
import dev.sluice.core.state.StepStatus;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH micro-benchmarks of the fixed costs of one step that the orchestration profiles pointed at:
 * reading a data file's footer for Iceberg's metrics (with Iceberg's Hadoop-configured reader, and
 * with the plain configuration the lake uses), opening and closing an engine session, and one
 * step's state transitions in the run store.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MicroBenchmarks {

  /** A small Parquet file, as a no-op table model writes. */
  @State(Scope.Benchmark)
  public static class ParquetFile {
    Path file;

    @Setup(Level.Trial)
    public void write() throws IOException, SQLException {
      file = Files.createTempFile("sluice-micro", ".parquet");
      try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
          Statement statement = connection.createStatement()) {
        statement.execute(
            "COPY (SELECT range AS id, 'row ' || range AS name FROM range(100)) TO '"
                + file
                + "' (FORMAT parquet, FIELD_IDS {id: 1, name: 2})");
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      Files.deleteIfExists(file);
    }
  }

  /** A DuckDB engine, as a workspace starts one. */
  @State(Scope.Benchmark)
  public static class Engine {
    DuckDbEngine engine;
    Path spill;

    @Setup(Level.Trial)
    public void start() throws IOException {
      spill = Files.createTempDirectory("sluice-micro-spill");
      engine = DuckDbEngine.start(spill, null);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      engine.close();
      Files.deleteIfExists(spill);
    }
  }

  /** A run store in a SQLite file, with one run to add steps to. */
  @State(Scope.Benchmark)
  public static class Store {
    Path directory;
    RunStore store;
    String runId;

    @Setup(Level.Trial)
    public void open() throws IOException {
      directory = Files.createTempDirectory("sluice-micro-state");
      store = RunStore.open("jdbc:sqlite:" + directory.resolve("state.db"), Map.of());
      runId = store.runs().startRun("run", List.of(), Instant.now());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      store.close();
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(directory);
    }
  }

  @Benchmark
  public Metrics footerWithHadoopConfiguration(ParquetFile parquet) {
    return ParquetUtil.fileMetrics(
        org.apache.iceberg.Files.localInput(parquet.file.toFile()), MetricsConfig.getDefault());
  }

  @Benchmark
  public Metrics footerWithPlainConfiguration(ParquetFile parquet) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new LocalInputFile(parquet.file),
            ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      return ParquetUtil.footerMetrics(
          reader.getFooter(), Stream.empty(), MetricsConfig.getDefault());
    }
  }

  @Benchmark
  public void engineSessionOpenAndClose(Engine engine) {
    try (EngineSession session = engine.engine.openSession()) {
      session.execute("SELECT 1");
    }
  }

  @Benchmark
  public void runStoreStepTransitions(Store store) {
    long step = store.store.steps().startStep(store.runId, "model", StepKind.MODEL, Instant.now());
    store
        .store
        .steps()
        .finishStep(step, StepStatus.SUCCEEDED, Instant.now(), StepMetrics.empty(), null);
  }
}
