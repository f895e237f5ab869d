package dev.sluice.bench.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load that runs out of memory is a missed target in the report, not a failure of the benchmark:
 * the child JVM gets a heap far too small for a Sluice load (8 MB) and ends on its {@code
 * OutOfMemoryError}. Nothing here is timed.
 */
class MemoryCeilingTest {
  @Test
  void runningOutOfMemoryIsAMissedTarget(@TempDir Path dir) {
    SuiteResult result = new SuiteResult(ConnectorsSuite.NAME);
    try (BenchPostgres postgres = BenchPostgres.start()) {
      MemoryCeiling ceiling = new MemoryCeiling(postgres, dir.resolve("memory"), 10_000, "-Xmx8m");
      ceiling.prepare();
      ceiling.measure(result);
    }

    assertThat(result.targets())
        .singleElement()
        .satisfies(
            target -> {
              assertThat(target.target())
                  .isEqualTo("a 10,000-row PostgreSQL table ingests with -Xmx8m");
              assertThat(target.met()).isFalse();
              assertThat(target.measured()).startsWith("out of memory after ");
            });
    assertThat(result.find("10,000-row load, -Xmx8m (child JVM)", "sluice").orElseThrow())
        .satisfies(load -> assertThat(load.metrics().get("exitCode").intValue()).isNotZero());
    assertThat(result.notes()).anyMatch(note -> note.contains("OutOfMemoryError"));
  }
}
