package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice profile}: the latest profile of a table or partition, from the metric history. */
class ProfileCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void printsTheProfileOfTheLatestWriteAndNeverAClassifiedValue() throws Exception {
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    write(project, "sluice.yaml", "name: cli\n");
    write(
        project,
        "seeds/people.csv",
        "id,email,age\n1,ann@example.com,31\n2,bob@example.com,\n3,cy@example.com,45\n");
    write(
        project,
        "seeds/people.yaml",
        "seeds:\n  - name: people\n    columns:\n      - {name: email, classification: [pii]}\n");
    write(
        project,
        "models/daily.sql",
        "select cast('{{ start }}' as date) as day, x as n from range(3) t(x)\n");
    write(
        project,
        "models/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - column: day\n        grain: day\n        start: "
            + start
            + "\n");

    InProcessCli.Result none = sluice("profile", "people");
    assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("No profile of curated.people yet").contains("sluice run");

    InProcessCli.Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isEqualTo(0);

    InProcessCli.Result text = sluice("profile", "people");
    assertThat(text.code()).as(text.err()).isEqualTo(0);
    assertThat(text.err()).contains("Profile of curated.people: 3 rows in 1 file");
    assertThat(text.out())
        .contains("column", "nulls", "distinct")
        .contains("(classified)")
        .doesNotContain("ann@example.com")
        .doesNotContain("cy@example.com")
        .contains("33.3%")
        .contains("31", "45");

    JsonNode json = JSON.readTree(sluice("profile", "curated.people", "--json").out());
    assertThat(json.get("rows").asLong()).isEqualTo(3);
    JsonNode email = json.get("columns").get(1);
    assertThat(email.get("name").asText()).isEqualTo("email");
    assertThat(email.get("classified").asBoolean()).isTrue();
    assertThat(email.get("min").isNull()).isTrue();
    assertThat(email.get("max").isNull()).isTrue();
    assertThat(email.get("maxLength").asLong()).isEqualTo(15);
    JsonNode age = json.get("columns").get(2);
    assertThat(age.get("min").asText()).isEqualTo("31");
    assertThat(age.get("mean").asDouble()).isEqualTo(38.0);

    JsonNode partition =
        JSON.readTree(sluice("profile", "daily", "--partition", start.toString(), "--json").out());
    assertThat(partition.get("partition").asText()).isEqualTo(start.toString());
    assertThat(partition.get("rows").asLong()).isEqualTo(3);

    InProcessCli.Result missingPartition = sluice("profile", "daily", "--partition", "1999-01-01");
    assertThat(missingPartition.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingPartition.err()).contains("No profile of curated.daily partition 1999-01-01");

    InProcessCli.Result notPartitioned = sluice("profile", "people", "--partition", "x");
    assertThat(notPartitioned.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(notPartitioned.err()).contains("people is not partitioned");

    InProcessCli.Result unknown = sluice("profile", "nothing");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("No asset or table 'nothing'");
  }
}
