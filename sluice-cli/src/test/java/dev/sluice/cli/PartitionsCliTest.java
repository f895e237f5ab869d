package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice backfill}, {@code sluice partitions} and {@code run --partition} in-process. */
class PartitionsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private final LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(4);

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: cli\nthreads: 2\n");
    write(
        project,
        "models/curated/daily.sql",
        "select d::date as day, '{{ partition.region }}' as region, 1 as n\n"
            + "from range(DATE '{{ start }}', DATE '{{ end }}', INTERVAL 1 DAY) t(d)\n");
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - column: day\n        grain: day\n        start: "
            + start
            + "\n      - column: region\n        values: [eu, us]\n");
    write(project, "models/curated/plain.sql", "select 1 as x\n");
  }

  @Test
  void backfillThenListPartitions() throws IOException {
    InProcessCli.Result missing = sluice("partitions", "daily");
    assertThat(missing.code()).isEqualTo(0);
    assertThat(missing.out()).contains(start + "|eu").contains("missing");
    assertThat(missing.err())
        .contains("8 partitions: 0 materialized, 0 stale, 0 failed, 8 missing");

    InProcessCli.Result backfill =
        sluice(
            "backfill",
            "--select",
            "daily",
            "--from",
            start.plusDays(1).toString(),
            "--to",
            start.plusDays(3).toString(),
            "--batch-size",
            "2",
            "--concurrency",
            "2");
    assertThat(backfill.code()).as(backfill.err()).isEqualTo(0);
    assertThat(backfill.err())
        .contains("2 steps")
        .contains("daily[" + start.plusDays(1) + ".." + start.plusDays(2) + "|eu]")
        .contains("Done");

    InProcessCli.Result json = sluice("partitions", "daily", "--json");
    JsonNode partitions = JSON.readTree(json.out());
    assertThat(partitions).hasSize(8);
    int materialized = 0;
    for (JsonNode partition : partitions) {
      if (partition.get("status").asText().equals("materialized")) {
        materialized++;
        assertThat(partition.get("rows").asLong()).isEqualTo(1);
      }
    }
    assertThat(materialized).isEqualTo(4);

    InProcessCli.Result rest = sluice("backfill", "--select", "daily", "--only-missing", "--json");
    assertThat(rest.code()).as(rest.err()).isEqualTo(0);
    assertThat(JSON.readTree(rest.out()).get("steps")).hasSize(4);
    assertThat(sluice("partitions", "daily", "--status", "missing").err())
        .contains("8 partitions: 8 materialized, 0 stale, 0 failed, 0 missing");

    InProcessCli.Result one = sluice("run", "--select", "daily", "--partition", start + "|us");
    assertThat(one.code()).as(one.err()).isEqualTo(0);
    assertThat(one.err()).contains("daily[" + start + "|us]").contains("1 step");

    InProcessCli.Result count =
        sluice("query", "select count(*) as n from curated.daily", "--format", "csv");
    assertThat(count.out()).contains("8");
  }

  @Test
  void mistakesGetClearErrors() {
    InProcessCli.Result notPartitioned = sluice("backfill", "--select", "plain");
    assertThat(notPartitioned.code()).isEqualTo(2);
    assertThat(notPartitioned.err()).contains("Nothing to backfill");

    InProcessCli.Result badDate = sluice("backfill", "--select", "daily", "--from", "yesterday");
    assertThat(badDate.code()).isEqualTo(2);
    assertThat(badDate.err()).contains("--from must be a date like 2024-03-01, got 'yesterday'");

    InProcessCli.Result badKey = sluice("run", "--select", "daily", "--partition", start + "|asia");
    assertThat(badKey.code()).isEqualTo(2);
    assertThat(badKey.err()).contains("'asia' is not a value of region [eu, us]");

    InProcessCli.Result unknown = sluice("partitions", "nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("No model 'nope'");
  }
}
