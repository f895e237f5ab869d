package dev.sluice.bench.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge-cost measurement runs on a small table (10 files, or {@code
 * -Dsluice.bench.merge.files}) and reports both merges of both batches; nothing here is timed. The
 * file-level merge of keys among the newest rows rewrites fewer files than the table has.
 */
class MergeCostTest {
  @Test
  void reportsTheFileMergeAndTheWholeTableRewrite(@TempDir Path dir) {
    int files = Integer.getInteger("sluice.bench.merge.files", 10);
    int repetitions = Integer.getInteger("sluice.bench.merge.repetitions", 1);
    BenchSettings settings =
        new BenchSettings(
            0.01,
            Set.of(BenchSettings.Suite.CONNECTORS),
            Set.of(),
            repetitions,
            0,
            dir.resolve("report"),
            dir.resolve("work"),
            dir);
    SuiteResult result = new SuiteResult(ConnectorsSuite.NAME);

    new MergeCost(settings, dir.resolve("merge"), files).measure(result);

    assertThat(result.measurements()).hasSize(4);
    for (Measurement measurement : result.measurements()) {
      System.out.printf(
          "%s [%s]: median %.0f ms %s%n",
          measurement.name(),
          measurement.system(),
          measurement.medianMillis(),
          measurement.metrics());
    }
    Measurement recent =
        result.find("merge 100 changed rows, recent keys", MergeCost.FILE_MERGE).orElseThrow();
    assertThat(recent.metrics().get("rows").longValue()).isEqualTo(files * 10_000L);
    assertThat(recent.metrics().get("filesRewritten").doubleValue()).isLessThan(files);
    assertThat(recent.metrics()).containsKey("wholeTableRewriteOverFileMerge");
  }
}
