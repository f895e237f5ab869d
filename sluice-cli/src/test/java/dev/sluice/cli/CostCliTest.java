package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice cost}: the showback as a table, JSON and CSV, and its bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeAll
  void runAProjectAndQueryIt() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: shop\n"
            + "cost:\n"
            + "  currency: EUR\n"
            + "  compute: 36 per cpu-hour\n"
            + "  storage: 1000 per gb-month\n"
            + "  query: 5 per tb-scanned\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    owner: sales-team\n");
    write(project, "data/a.csv", "id,amount\n1,10\n2,20\n");
    write(
        project,
        "models/totals.sql",
        "select sum(amount) as total from {{ source('shop', 'orders') }}\n");
    assertThat(sluice("run").code()).isZero();
    assertThat(sluice("query", "select * from curated.totals").code()).isZero();
  }

  @Test
  void showsEachGroupTheTotalTheOffendersAndWhatEachFigureIncludes() {
    InProcessCli.Result cost = sluice("cost", "--by", "owner");
    assertThat(cost.code()).as(cost.err()).isZero();
    assertThat(cost.out())
        .contains("Cost by owner", "(EUR)", "sales-team", "(no owner)", "total", "Top offenders");
    assertThat(cost.err()).contains("compute: includes:", "storage: includes:", "query: includes:");
  }

  @Test
  void jsonCarriesEveryFigureAndTheNotes() throws Exception {
    InProcessCli.Result cost = sluice("--json", "cost", "--since", "7d");
    assertThat(cost.code()).as(cost.err()).isZero();
    JsonNode report = JSON.readTree(cost.out());
    assertThat(report.get("currency").asText()).isEqualTo("EUR");
    assertThat(report.get("by").asText()).isEqualTo("asset");
    assertThat(report.get("lines").findValuesAsText("key")).contains("shop.orders", "totals");
    JsonNode total = report.get("total");
    assertThat(total.get("runs").asLong()).isEqualTo(1);
    assertThat(total.get("queries").asLong()).isEqualTo(1);
    assertThat(new BigDecimal(total.get("storage").asText())).isPositive();
    assertThat(total.get("storedBytes").asLong()).isPositive();
    assertThat(report.get("notes").get("storage").asText()).contains("estimates");
    assertThat(report.get("waste").findValuesAsText("kind")).isNotNull();
  }

  @Test
  void csvHasAHeaderAndARowPerGroupAndTheTotal() {
    InProcessCli.Result cost = sluice("cost", "--by", "source", "--csv");
    assertThat(cost.code()).as(cost.err()).isZero();
    assertThat(cost.out().lines().toList())
        .first()
        .asString()
        .startsWith("source,currency,compute,storage,query,total,previous_total,trend_percent");
    assertThat(cost.out()).contains("\nshop,EUR,", "\n\"(models)\",EUR,", "\ntotal,EUR,");
  }

  @Test
  void badInputIsRefusedWithWhatToWrite() {
    InProcessCli.Result by = sluice("cost", "--by", "team");
    assertThat(by.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(by.err())
        .contains("Cannot group costs by 'team'", "asset|owner|tier|tag|source|principal");

    InProcessCli.Result since = sluice("cost", "--since", "yesterday");
    assertThat(since.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(since.err()).contains("--since 'yesterday' is not a period", "30d");

    InProcessCli.Result zero = sluice("cost", "--since", "0d");
    assertThat(zero.code()).isEqualTo(ExitCodes.USAGE);

    InProcessCli.Result both = sluice("--json", "cost", "--csv");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--csv or --json");
  }
}
