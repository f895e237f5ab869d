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

    InProcessCli.Result hour =
        sluice(clock, project, "run", "--event-time-start", "2024-01-02 05:00:00");
    assertThat(hour.code()).isEqualTo(2);
    assertThat(hour.err())
        .contains(
            "--event-time-start '2024-01-02 05:00:00' has a time of day: Sluice takes whole days"
                + " (UTC) yet; write 2024-01-02");

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
}
