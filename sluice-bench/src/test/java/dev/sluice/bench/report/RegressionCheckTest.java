package dev.sluice.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.report.ReportFigures.Figure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports compared with a reference report. The reports are written by {@link Report#write}, the
 * bench's own writer, from measurements chosen so that the comparison's outcome is known; the
 * committed reference report is read as it is.
 */
class RegressionCheckTest {
  private static final Path RESULTS =
      Path.of("").toAbsolutePath().getParent().resolve("bench/results");

  /** Writes a report of the transform suite with q01 and total on Sluice and DuckDB-direct. */
  private static Path transformReport(
      Path directory,
      String started,
      double scale,
      boolean reference,
      double q01Sluice,
      double q01DuckDb) {
    SuiteResult transform = new SuiteResult("transform");
    transform.add("total", "sluice", List.of(1000.0, 1010.0, 990.0), Map.of());
    transform.add("q01", "sluice", List.of(q01Sluice), Map.of());
    transform.add("total", "duckdb", List.of(800.0, 790.0, 810.0), Map.of());
    transform.add("q01", "duckdb", List.of(q01DuckDb), Map.of());
    Report report =
        new Report(
            Instant.parse(started),
            Map.of(ReportFigures.LOAD_AT_END, "1.00 0.50 0.20"),
            Map.of("scale", String.valueOf(scale), "suite", "transform"),
            List.of(transform));
    (reference ? report.asReference() : report).write(directory);
    return directory;
  }

  @Test
  void flagsEveryFigureMoreThanTenPercentWorseInTheReportAndItsResults(@TempDir Path dir)
      throws Exception {
    Path reference =
        transformReport(dir.resolve("reference"), "2026-12-01T10:00:00Z", 1, true, 100, 50);
    // q01 on Sluice 20 % slower (so is its ratio to DuckDB); DuckDB 5 % slower: within the margin
    SuiteResult transform = new SuiteResult("transform");
    transform.add("total", "sluice", List.of(1050.0), Map.of());
    transform.add("q01", "sluice", List.of(126.0), Map.of());
    transform.add("total", "duckdb", List.of(790.0), Map.of());
    transform.add("q01", "duckdb", List.of(52.5), Map.of());
    Path current = dir.resolve("current");
    Report report =
        new Report(
                Instant.parse("2026-12-07T10:00:00Z"),
                Map.of(ReportFigures.LOAD_AT_END, "15.0 14.0 12.0"),
                Map.of("scale", "1.0", "suite", "transform"),
                List.of(transform))
            .comparedWith(Optional.of(ReportFigures.read(reference)), current);
    report.write(current);

    RegressionCheck check = report.comparison().orElseThrow();
    // 4 times and 2 ratios in both
    assertThat(check.compared()).isEqualTo(6);
    assertThat(check.regressions())
        .extracting(r -> r.current().name() + " " + r.current().measure())
        .containsExactly("q01 sluice ms", "q01 sluice / duckdb");
    assertThat(check.regressions().get(0).worse()).isCloseTo(0.26, within());

    JsonNode results = new ObjectMapper().readTree(current.resolve("results.json").toFile());
    assertThat(results.path("reference").asBoolean()).isFalse();
    JsonNode comparison = results.path("comparison");
    assertThat(comparison.path("reference").asText()).isEqualTo("../reference");
    assertThat(comparison.path("figuresCompared").asInt()).isEqualTo(6);
    assertThat(comparison.path("regressions")).hasSize(2);
    assertThat(comparison.path("regressions").get(0).path("current").asDouble()).isEqualTo(126.0);
    String markdown = Files.readString(current.resolve("report.md"));
    assertThat(markdown)
        .contains("## Compared with the reference report")
        .contains("[../reference](../reference/report.md)")
        .contains("**2 more than 10 % worse**")
        .contains("| transform | q01 | sluice ms | 100 | 126 | +26 % |")
        .contains("| transform | q01 | sluice / duckdb | 2.00 | 2.40 | +20 % |");
    // the report written again is read back with the same figures it was compared on
    assertThat(ReportFigures.read(current).figures()).hasSize(6);
    assertThat(
            new ObjectMapper()
                .readTree(reference.resolve("results.json").toFile())
                .path("reference")
                .asBoolean())
        .isTrue();
  }

  @Test
  void aReportNoWorseThanTheReferenceSaysSo(@TempDir Path dir) throws Exception {
    Path reference =
        transformReport(dir.resolve("reference"), "2026-12-01T10:00:00Z", 1, true, 100, 50);
    Path current = dir.resolve("current");
    ReportFigures figures =
        ReportFigures.read(transformReport(current, "2026-12-07T10:00:00Z", 1, false, 109, 50));

    RegressionCheck check = RegressionCheck.compare(figures, ReportFigures.read(reference));

    assertThat(check.compared()).isEqualTo(6);
    assertThat(check.regressions()).isEmpty();
  }

  @Test
  void theDefaultReferenceIsTheNewestMarkedOneAtTheSameScaleWithASuiteInCommon(@TempDir Path dir) {
    Path results = dir.resolve("results");
    transformReport(results.resolve("old"), "2026-11-01T10:00:00Z", 1, true, 100, 50);
    Path chosen = transformReport(results.resolve("new"), "2026-12-01T10:00:00Z", 1, true, 100, 50);
    // not marked; another scale (in a run over several scales' sub-directory); not yet written
    transformReport(results.resolve("newest-unmarked"), "2026-12-05T10:00:00Z", 1, false, 1, 1);
    transformReport(results.resolve("scales/sf-0.1"), "2026-12-06T10:00:00Z", 0.1, true, 100, 50);
    Path output = results.resolve("today");

    assertThat(RegressionCheck.newestReference(results, 1, Set.of("transform"), output))
        .map(ReportFigures::directory)
        .contains(chosen);
    assertThat(RegressionCheck.newestReference(results, 0.1, Set.of("transform"), output))
        .map(ReportFigures::directory)
        .contains(results.resolve("scales/sf-0.1"));
    assertThat(RegressionCheck.newestReference(results, 1, Set.of("ingest"), output)).isEmpty();
    // the run's own output directory, from an earlier run into it, is not its reference
    assertThat(RegressionCheck.newestReference(results, 1, Set.of("transform"), chosen))
        .map(ReportFigures::directory)
        .contains(results.resolve("old"));
  }

  @Test
  void theCommittedReferenceReportIsFoundAndRead() {
    ReportFigures reference =
        RegressionCheck.newestReference(RESULTS, 1, Set.of("ingest", "transform"), RESULTS)
            .orElseThrow();

    assertThat(reference.reference()).isTrue();
    assertThat(reference.scale()).isEqualTo(1.0);
    assertThat(reference.suites()).contains("ingest", "transform");
    assertThat(reference.figures())
        .filteredOn(f -> f.name().equals("q01") && f.suite().equals("transform"))
        .extracting(Figure::measure)
        .contains("sluice ms", "duckdb ms", "sluice / duckdb");
  }

  @Test
  void aDirectoryWithoutAReportIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> ReferenceChoice.directory(dir).reference(1, Set.of(), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("results.json is missing");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
