package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A million-row CSV stages with DuckDB's reader, bad rows included, with every row counted and each
 * bad one quarantined at its line. How fast is the benchmark's business (the ingest suite), not a
 * unit test's: a time limit here failed on a busy machine and proved nothing on a quiet one.
 */
class LargeCsvTest extends FileConnectorTestBase {
  private static final Logger LOG = LoggerFactory.getLogger(LargeCsvTest.class);
  private static final int ROWS = 1_000_000;

  @BeforeEach
  void writeFile() throws IOException {
    Path path = project.resolve("data/big.csv");
    Files.createDirectories(path.getParent());
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      out.write("id,name,amount,day\n");
      for (int i = 1; i <= ROWS; i++) {
        if (i % 100_000 == 0) {
          out.write(i + ",bad,not-a-number,2024-01-01\n");
        } else {
          out.write(i + ",name" + i + "," + (i * 1.5) + ",2024-01-" + (10 + i % 19) + "\n");
        }
      }
    }
  }

  @Test
  void inferredSchema() {
    long started = System.nanoTime();
    StagedData staged = stage(spec("data/big.csv", "csv"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    LOG.info("Staged {} rows (inferred types) in {} ms", staged.rows(), took.toMillis());

    assertThat(staged.rows()).isEqualTo(ROWS);
    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT", "name VARCHAR", "amount VARCHAR", "day DATE", "_source_file VARCHAR");
  }

  @Test
  void declaredSchemaWithQuarantine() {
    long started = System.nanoTime();
    StagedData staged =
        stage(
            spec("data/big.csv", "csv")
                .quarantine()
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("name", Types.StringType.get()),
                    new Column("amount", Types.DoubleType.get()),
                    new Column("day", Types.DateType.get())));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    LOG.info("Staged {} rows (declared types) in {} ms", staged.rows(), took.toMillis());

    assertThat(staged.rows()).isEqualTo(ROWS - 10);
    assertThat(staged.rejectedRows()).isEqualTo(10);
    assertThat(rows(staged.rejectedRelation(), "_line"))
        .extracting(row -> row.get(1))
        .containsExactlyElementsOf(
            List.of(
                100_001L,
                200_001L,
                300_001L,
                400_001L,
                500_001L,
                600_001L,
                700_001L,
                800_001L,
                900_001L,
                1_000_001L));
  }
}
