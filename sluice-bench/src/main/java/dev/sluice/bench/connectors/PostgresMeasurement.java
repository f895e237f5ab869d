package dev.sluice.bench.connectors;

import static java.util.Objects.requireNonNull;

import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One measurement of the connectors suite over its PostgreSQL server, on a Sluice project of its
 * own: {@link #prepare()} creates the PostgreSQL tables and writes the project, {@link #measure}
 * runs the loads and adds what it measured to the suite's result.
 */
abstract class PostgresMeasurement {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresMeasurement.class);

  final BenchPostgres postgres;
  final Path project;

  PostgresMeasurement(BenchPostgres postgres, Path project) {
    this.postgres = requireNonNull(postgres, "postgres is null");
    this.project = requireNonNull(project, "project is null");
  }

  /** Creates the PostgreSQL tables and writes the Sluice project. */
  abstract void prepare();

  /** Runs the measurement and adds its measurements, targets and notes to {@code result}. */
  abstract void measure(SuiteResult result);

  /** Generates {@code table} as a {@link SyntheticTable} of {@code rows} rows. */
  void generate(String table, long rows) {
    long started = System.nanoTime();
    postgres.execute(SyntheticTable.createStatements(table, rows));
    LOG.info(
        "PostgreSQL table {} ({} rows) generated in {} s",
        table,
        rows,
        (System.nanoTime() - started) / 1_000_000_000);
  }
}
