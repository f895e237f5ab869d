package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice slo} and {@code sluice report quality} on a project that real runs built: a source
 * table with a freshness SLO, a gold model with an owner and checks.
 */
class SloCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  @TempDir Path project;

  private InProcessCli.Result at(Instant now, String... args) {
    return InProcessCli.sluice(Clock.fixed(now, ZoneOffset.UTC), project, args);
  }

  @Test
  void sloReportsEachAssetAndTierAndReportQualityTheCoverage() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "data/orders.csv", "id,amount\n1,10\n2,20\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n"
            + "    owner: sales-data\n"
            + "    freshness: {warn_after: 2h, error_after: 6h}\n"
            + "    slo: {fresh: 99%, window: 1d}\n"
            + "    checks: [{row_count: {min: 1}}]\n"
            + "    contract: {enforced: true}\n"
            + "    columns:\n"
            + "      - {name: id, type: bigint}\n"
            + "      - {name: amount, type: bigint}\n");
    write(
        project,
        "models/published/revenue.sql",
        "select sum(amount) as revenue from {{ source('shop', 'orders') }}\n");
    write(
        project,
        "models/published/revenue.yaml",
        "models:\n  - name: revenue\n    tier: gold\n    owner: finance\n"
            + "    checks: [{row_count: {min: 1}}]\n");
    assertThat(at(T0, "run").code()).isEqualTo(0);

    InProcessCli.Result slo = at(T0.plus(Duration.ofHours(3)), "slo");
    assertThat(slo.code()).as(slo.err()).isEqualTo(0);
    assertThat(slo.out())
        .contains("shop.orders")
        .contains("warn")
        .contains("3h")
        .contains("2h / 6h")
        .contains("99.00% / 1d")
        .contains("100.00%")
        .contains("(no tier)");

    JsonNode json = JSON.readTree(at(T0.plus(Duration.ofHours(8)), "slo", "--json").out());
    JsonNode orders = json.path("assets").get(0);
    assertThat(orders.path("asset").asText()).isEqualTo("shop.orders");
    assertThat(orders.path("state").asText()).isEqualTo("error");
    assertThat(orders.path("ageSeconds").asLong()).isEqualTo(8 * 3600);
    // stale from 6h to 8h of the 8 observed; the budget of 1 % of a day is 14.4 minutes
    assertThat(orders.path("slo").path("attainment").asDouble()).isEqualTo(0.75);
    assertThat(orders.path("slo").path("budgetSeconds").asLong()).isEqualTo(864);
    assertThat(orders.path("slo").path("budgetSpent").asBoolean()).isTrue();
    assertThat(orders.path("breached").asBoolean()).isTrue();
    assertThat(orders.path("breaches")).hasSize(2);
    assertThat(json.path("tiers").get(0).path("tier").asText()).isEqualTo("(no tier)");
    assertThat(json.path("tiers").get(0).path("withSlo").asInt()).isEqualTo(1);
    assertThat(json.path("tiers").get(0).path("meetingSlo").asInt()).isEqualTo(0);

    InProcessCli.Result report = at(T0.plus(Duration.ofHours(8)), "report", "quality");
    assertThat(report.code()).as(report.err()).isEqualTo(0);
    assertThat(report.out()).contains("gold").contains("(no tier)").contains("100%");
    assertThat(report.err()).doesNotContain("Contracts:");
    JsonNode quality =
        JSON.readTree(at(T0.plus(Duration.ofHours(8)), "report", "quality", "--json").out());
    JsonNode all = quality.path("tiers").get(2);
    assertThat(all.path("tier").asText()).isEqualTo("all");
    assertThat(all.path("assets").asInt()).isEqualTo(2);
    assertThat(all.path("withChecks").asInt()).isEqualTo(2);
    assertThat(all.path("withOwner").asInt()).isEqualTo(2);
    assertThat(all.path("withFreshnessSlo").asInt()).isEqualTo(1);
    assertThat(all.path("freshnessSloShare").asDouble()).isEqualTo(0.5);
    // the source table's contract counts; the model declares none
    assertThat(all.path("withContract").asInt()).isEqualTo(1);
    JsonNode day = quality.path("passRate").get(0);
    assertThat(day.path("day").asText()).isEqualTo("2026-11-02");
    assertThat(day.path("results").asInt()).isEqualTo(2);
    assertThat(day.path("rate").asDouble()).isEqualTo(1.0);
  }

  @Test
  void badFreshnessConfigIsAUsageErrorWithFileAndLine() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "data/orders.csv", "id\n1\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n"
            + "    freshness: {warn_after: 2h}\n    slo: {fresh: 150%}\n");
    InProcessCli.Result slo = at(T0, "slo");
    assertThat(slo.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(slo.err())
        .contains("sources/shop.yaml:5")
        .contains("must be a percentage above 0 and at most 100, got '150%'");
  }
}
