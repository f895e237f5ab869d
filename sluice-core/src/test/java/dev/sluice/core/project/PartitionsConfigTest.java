package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ProjectException.Problem;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How partitions are declared, what is wrong with bad declarations, and their windows. */
class PartitionsConfigTest {
  @TempDir Path root;

  private void model(String properties) {
    write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    write(
        root,
        "models/curated/daily.sql",
        "select * from range(DATE '{{ start }}', DATE '{{ end }}', INTERVAL 1 DAY) t(day)\n");
    write(root, "models/curated/daily.yaml", "models:\n  - name: daily\n" + properties);
  }

  private List<String> messages() {
    return TestProjects.problems(root).stream().map(Problem::toString).toList();
  }

  @Test
  void timeAndStaticDimensionsAreRead() {
    model(
        "    materialized: incremental_by_time_range\n"
            + "    partitions:\n"
            + "      - {column: day, grain: hourly, start: 2024-03-30, time_zone: Europe/Paris,"
            + " lookback: 2}\n"
            + "      - {column: region, values: [eu, us]}\n");
    PartitionsDef partitions = Project.load(root).models().get("daily").partitions();
    assertThat(partitions.lookback()).isEqualTo(2);
    assertThat(partitions.time().orElseThrow().grain()).isEqualTo(TimeGrain.HOUR);
    assertThat(partitions.time().orElseThrow().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(partitions.columns()).containsExactly("day", "region");
    // Paris skips 02:00 on 2024-03-31: 24 + 23 hours, each in both regions
    Instant april = LocalDate.of(2024, 4, 1).atStartOfDay(ZoneId.of("Europe/Paris")).toInstant();
    List<PartitionKey> keys = partitions.complete(april);
    assertThat(keys).hasSize(2 * (24 + 24));
    assertThat(keys.get(0).toString()).isEqualTo("2024-03-30T00|eu");
    assertThat(keys.get(1).toString()).isEqualTo("2024-03-30T00|us");
    PartitionRange skipped = PartitionRange.of(partitions, PartitionKey.parse("2024-03-31T02|eu"));
    assertThat(skipped.start().orElseThrow().toInstant())
        .isEqualTo(skipped.end().orElseThrow().toInstant());
  }

  @Test
  void weeksAndMonthsAlignToTheirStart() {
    model(
        "    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: day, grain: week, start: 2024-01-03}\n");
    PartitionsDef weekly = Project.load(root).models().get("daily").partitions();
    Instant now = LocalDate.of(2024, 1, 25).atStartOfDay(ZoneId.of("UTC")).toInstant();
    assertThat(weekly.complete(now))
        .extracting(PartitionKey::toString)
        .containsExactly("2024-01-03", "2024-01-10", "2024-01-17");
    assertThat(weekly.problemWith(PartitionKey.parse("2024-01-04")).orElseThrow())
        .contains("does not start a week");
    assertThat(
            weekly.between(LocalDate.of(2024, 1, 5).atStartOfDay(), null, now).stream()
                .map(PartitionKey::toString))
        .containsExactly("2024-01-10", "2024-01-17");
  }

  @Test
  void mistakesAreReportedWithFileAndLine() {
    model(
        "    materialized: incremental_by_time_range\n"
            + "    partitions:\n"
            + "      - {column: day, grain: fortnight, start: 2024-01-01}\n"
            + "      - {column: region, values: [eu, 'a|b']}\n"
            + "      - {column: month, grain: month, start: 2024-01-15}\n"
            + "      - {column: zone, grain: day, start: 2024-01-01, time_zone: Mars/Olympus}\n");
    assertThat(messages()).noneMatch(m -> m.contains("Unknown name 'start'"));
    assertThat(messages())
        .anySatisfy(
            m -> assertThat(m).contains("daily.yaml:5").contains("Unknown grain 'fortnight'"))
        .anySatisfy(m -> assertThat(m).contains("contains '|'"))
        .anySatisfy(m -> assertThat(m).contains("Monthly partitions start on the first"))
        .anySatisfy(m -> assertThat(m).contains("Unknown time zone 'Mars/Olympus'"));
  }

  @Test
  void partitionsNeedAPartitionedMaterializationAndViceVersa() {
    model("    materialized: table\n    partitions:\n      - {column: region, values: [eu]}\n");
    assertThat(messages())
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("declares partitions but is materialized table")
                    .contains("incremental_by_partition"));
    model("    materialized: incremental_by_time_range\n");
    assertThat(messages()).anySatisfy(m -> assertThat(m).contains("declares no partitions"));
    model(
        "    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: region, values: [eu]}\n");
    assertThat(messages()).anySatisfy(m -> assertThat(m).contains("has no time dimension"));
  }
}
