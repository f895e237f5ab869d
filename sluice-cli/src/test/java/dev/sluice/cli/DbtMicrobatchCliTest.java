package dev.sluice.cli;

import static dev.sluice.cli.InProcessCli.sluice;
import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dbt's --event-time-start and --event-time-end on a microbatch model (docs/dbt.md). */
class DbtMicrobatchCliTest {
  @TempDir Path project;

  @Test
  void theEventTimeFlagsBuildTheBatchesThatStartInTheirRange() throws IOException {
    write(project, "dbt_project.yml", "name: shop\nseeds:\n  shop:\n    +event_time: seen\n");
    write(project, "seeds/events.csv", "id,seen\n1,2024-01-01 05:00:00\n2,2024-01-02 06:00:00\n");
    write(
        project,
        "models/daily.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
                  event_time='day', begin='2024-01-01', batch_size='day') }}
        select cast(date_trunc('day', cast(seen as timestamp)) as date) as day, count(*) as events
        from {{ ref('events') }} group by all
        """);
    Clock clock = Clock.fixed(Instant.parse("2024-01-03T12:00:00Z"), ZoneOffset.UTC);

    InProcessCli.Result malformed =
        sluice(clock, project, "run", "--event-time-end", "2024-01-02 5 o'clock");
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err())
        .contains(
            "--event-time-end '2024-01-02 5 o'clock' is not a date or a time (UTC): write it as"
                + " 2024-01-01, '2024-01-01 05:00:00' or 2024-01-01T05:00:00");

    InProcessCli.Result backfill =
        sluice(
            clock,
            project,
            "run",
            "--event-time-start",
            "2024-01-02",
            "--event-time-end",
            "2024-01-03",
            "--json");
    assertThat(backfill.code()).as(backfill.err()).isZero();
    JsonNode run = new ObjectMapper().readTree(backfill.out());
    List<String> steps = new ArrayList<>();
    run.get("steps").forEach(step -> steps.add(step.get("asset").asText()));
    assertThat(steps).containsExactlyInAnyOrder("events", "daily[2024-01-02]");
  }

  /** As dbt's flags, which take datetimes: an hourly model's batches from the hour given. */
  @Test
  void theEventTimeFlagsTakeTimesOfDayForHourlyBatches() throws IOException {
    write(project, "dbt_project.yml", "name: shop\nseeds:\n  shop:\n    +event_time: seen\n");
    write(
        project,
        "seeds/events.csv",
        "id,seen\n1,2024-01-02 04:10:00\n2,2024-01-02 05:20:00\n3,2024-01-02 06:30:00\n"
            + "4,2024-01-02 07:40:00\n");
    write(
        project,
        "models/hourly.sql",
        """
        {{ config(materialized='incremental', incremental_strategy='microbatch',
                  event_time='hour', begin='2024-01-02', batch_size='hour') }}
        select date_trunc('hour', cast(seen as timestamp)) as hour, count(*) as events
        from {{ ref('events') }} group by all
        """);
    Clock clock = Clock.fixed(Instant.parse("2024-01-02T09:00:00Z"), ZoneOffset.UTC);
    assertThat(sluice(clock, project, "seed").code()).isZero();

    // dbt truncates the start to its batch and builds the batches that start before the end
    InProcessCli.Result backfill =
        sluice(
            clock,
            project,
            "run",
            "-s",
            "hourly",
            "--event-time-start",
            "2024-01-02 05:30:00",
            "--event-time-end",
            "2024-01-02T06:15:00",
            "--json");
    assertThat(backfill.code()).as(backfill.err()).isZero();
    List<String> steps = new ArrayList<>();
    new ObjectMapper()
        .readTree(backfill.out())
        .get("steps")
        .forEach(step -> steps.add(step.get("asset").asText()));
    assertThat(steps).containsExactlyInAnyOrder("hourly[2024-01-02T05]", "hourly[2024-01-02T06]");
    InProcessCli.Result rows =
        sluice(
            clock,
            project,
            "query",
            "select strftime(hour, '%H'), events from main.hourly order by hour",
            "--format",
            "csv");
    assertThat(rows.code()).as(rows.err()).isZero();
    assertThat(rows.out())
        .contains("05,1")
        .contains("06,1")
        .doesNotContain("04,")
        .doesNotContain("07,");
  }
}
