package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.DbtSourceFreshness;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's {@code source freshness}: each dbt source table with {@code freshness:} judged by the
 * newest {@code loaded_at_field} value of its load, written as dbt's sources.json (v3).
 */
class DbtSourceFreshnessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  @Test
  void sourcesJsonJudgesEachSourceTableAsDbtDoes() throws IOException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    write("dbt_project.yml", "name: shop\n");
    write(
        "data/fresh.csv", "id,loaded_at\n1," + timestamp(now.minus(Duration.ofMinutes(10))) + "\n");
    write("data/late.csv", "id,loaded_at\n1," + timestamp(now.minus(Duration.ofHours(3))) + "\n");
    write("data/stale.csv", "id,loaded_at\n1," + timestamp(now.minus(Duration.ofDays(3))) + "\n");
    write("data/plain.csv", "id\n1\n");
    write(
        "models/sources.yml",
        """
        version: 2
        sources:
          - name: bank
            loaded_at_field: loaded_at
            freshness:
              warn_after: {count: 1, period: hour}
              error_after: {count: 1, period: day}
            tables:
              - name: fresh
                meta: {external_location: 'data/fresh.csv'}
              - name: late
                meta: {external_location: 'data/late.csv'}
              - name: stale
                meta: {external_location: 'data/stale.csv'}
              - name: plain
                meta: {external_location: 'data/plain.csv'}
                freshness: null
        """);

    DbtSourceFreshness.Judged judged;
    try (Workspace workspace = Workspace.open(project)) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).as(run.toString()).isTrue();
      // dbt's selection applied to the sources: one table, another excluded
      Set<String> selected =
          new HashSet<>(
              new Selector(workspace.project())
                  .select(List.of("source:bank.late source:bank.fresh"), List.of("bank.fresh")));
      assertThat(DbtSourceFreshness.judge(workspace, Instant.now(), selected::contains).tables())
          .extracting(table -> table.table() + " " + table.status())
          .containsExactly("bank.late warn");
      judged = DbtSourceFreshness.judge(workspace, Instant.now()); // after the load
    }

    assertThat(judged.tables())
        .extracting(table -> table.table() + " " + table.status())
        .containsExactlyInAnyOrder("bank.fresh pass", "bank.late warn", "bank.stale error");
    assertThat(judged.failed()).as("a table past error_after fails, as dbt exits 1").isTrue();
    JsonNode sources = JSON.readTree(project.resolve("target/sources.json").toFile());
    List<String> results = new ArrayList<>();
    sources
        .get("results")
        .forEach(
            result ->
                results.add(
                    result.get("unique_id").asText()
                        + " "
                        + result.get("status").asText()
                        + " "
                        + result.get("criteria").get("warn_after").get("period").asText()));
    assertThat(results)
        .containsExactlyInAnyOrder(
            "source.shop.bank.fresh pass hour",
            "source.shop.bank.late warn hour",
            "source.shop.bank.stale error hour");
    JsonNode late = sources.get("results").get(1);
    assertThat(late.get("max_loaded_at_time_ago_in_s").asDouble())
        .isBetween(3 * 3600.0, 3 * 3600.0 + 600);

    Path schema = DbtArtifactsTest.schemas().resolve("sources-v3.json");
    assumeTrue(Files.isRegularFile(schema), "dbt's sources schema is not in " + schema);
    try (InputStream in = Files.newInputStream(schema)) {
      assertThat(
              JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                  .getSchema(in)
                  .validate(sources))
          .isEmpty();
    }
  }

  private static String timestamp(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
  }

  private void write(String file, String text) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text, StandardCharsets.UTF_8);
  }
}
