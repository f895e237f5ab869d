package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.report.Report;
import dev.sluice.bench.report.ReportFigures;
import dev.sluice.bench.report.SuiteResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice bench} itself: several scales in one invocation, the report of cost against scale,
 * the comparison with a reference report and its exit code. Real ingest runs at tiny scales, never
 * timed by the assertions.
 */
class BenchCommandTest {
  private static final Path SLUICE_HOME = Path.of("").toAbsolutePath().getParent();
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Outcome(int exitCode, String err) {}

  private static Outcome bench(String... args) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new BenchCommand());
    commandLine.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--sluice-home", SLUICE_HOME.toString()));
    all.addAll(List.of(args));
    return new Outcome(commandLine.execute(all.toArray(String[]::new)), err.toString());
  }

  /**
   * A reference report, written by the bench's own writer, whose ingest times no run can beat:
   * every figure of a real run is worse than it.
   */
  private static Path unbeatableReference(Path directory) {
    SuiteResult ingest = new SuiteResult("ingest");
    ingest.add("total", "sluice", List.of(0.001), Map.of());
    ingest.add("total", "duckdb", List.of(0.001), Map.of());
    new Report(
            Instant.parse("2026-12-01T10:00:00Z"),
            Map.of(ReportFigures.LOAD_AT_END, "0.10 0.10 0.10"),
            Map.of("scale", "0.01", "suite", "ingest"),
            List.of(ingest))
        .asReference()
        .write(directory);
    return directory;
  }

  @Test
  void runsEachScaleComparesWithTheReferenceAndFailsOnARegressionWhenAsked(@TempDir Path dir)
      throws Exception {
    Path reference = unbeatableReference(dir.resolve("reference"));
    Path output = dir.resolve("report");

    Outcome run =
        bench(
            "--scale",
            "0.02,0.01",
            "--suite",
            "ingest",
            "--baselines",
            "duckdb",
            "--repetitions",
            "1",
            "--warmups",
            "0",
            "--work",
            dir.resolve("work").toString(),
            "--output",
            output.toString(),
            "--compare",
            reference.toString(),
            "--reference",
            "--fail-on-regression");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(BenchCommand.REGRESSION);
    assertThat(run.err()).contains("WORSE   ingest total sluice ms");
    for (String scale : List.of("sf-0.01", "sf-0.02")) {
      JsonNode results = JSON.readTree(output.resolve(scale).resolve("results.json").toFile());
      assertThat(results.path("reference").asBoolean()).isTrue();
      assertThat(results.path("comparison").path("regressions"))
          .extracting(r -> r.path("name").asText() + " " + r.path("figure").asText())
          .contains("total sluice ms", "total duckdb ms");
      // the ingest suite's steps by phase, as the transform suite's
      assertThat(results.path("suites").path("ingest").path("phasesMillis").path("tpch.lineitem"))
          .isNotEmpty();
      assertThat(Files.readString(output.resolve(scale).resolve("report.md")))
          .contains("## Compared with the reference report")
          .contains("Where a step's time goes, by phase");
    }
    JsonNode scales = JSON.readTree(output.resolve("results.json").toFile());
    assertThat(scales.path("suites").path("ingest").path("scales"))
        .extracting(point -> point.path("scale").asDouble())
        .containsExactly(0.01, 0.02);
    assertThat(scales.path("suites").path("ingest").path("fits").path("sluice overhead").isObject())
        .isTrue();
    assertThat(output.resolve("cost-vs-scale.png")).isNotEmptyFile();
    assertThat(Files.readString(output.resolve("report.md")))
        .contains("[SF 0.01](sf-0.01/report.md)")
        .contains("| fit | fixed ms | ms per SF |");

    // the same reports combined again later, without running anything
    Path combined = dir.resolve("combined");
    Outcome combine =
        bench(
            "--combine",
            output.resolve("sf-0.01") + "," + output.resolve("sf-0.02"),
            "--output",
            combined.toString());
    assertThat(combine.exitCode()).as(combine.err()).isZero();
    assertThat(Files.readString(combined.resolve("report.md")))
        .contains("[SF 0.02](../report/sf-0.02/report.md)");
  }

  @Test
  void aCompareDirectoryWithoutAReportIsAUsageError(@TempDir Path dir) {
    Outcome run =
        bench("--suite", "ingest", "--compare", dir.toString(), "--output", dir.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--compare " + dir).contains("no results.json there");
  }

  @Test
  void combiningTwoReportsOfOneScaleIsRefused(@TempDir Path dir) {
    Path one = unbeatableReference(dir.resolve("one"));
    Path two = unbeatableReference(dir.resolve("two"));

    Outcome run = bench("--combine", one + "," + two, "--output", dir.resolve("out").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("--combine: Two reports at scale 0.01")
        .contains("one report per scale");
  }
}
