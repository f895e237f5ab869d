package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole demo, twice: the second run loads nothing twice and leaves the same results. */
class DemoCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    return new String[] {out.toString(), err.toString()};
  }

  private Map<String, Long> rowCounts(Path project) throws Exception {
    JsonNode tables = JSON.readTree(run("-p", project.toString(), "tables", "--json")[0]);
    Map<String, Long> counts = new HashMap<>();
    for (JsonNode table : tables) {
      if (table.get("kind").asText().equals("table")) {
        counts.put(table.get("table").asText(), table.get("rows").asLong());
      }
    }
    return counts;
  }

  @Test
  void demoRunsEndToEndAndCanBeRunAgain() throws Exception {
    String[] first = run("-p", directory.toString(), "demo", "--dir", "shop");
    Path project = directory.resolve("shop");
    assertThat(first[1]).contains("checks passed").contains("3 malformed rows quarantined");
    assertThat(first[0]).contains("country_name");
    // the analyst of the demo's policies.yaml sees masked e-mails and only one country's rows
    assertThat(first[0].lines().filter(line -> line.contains("***@example.")).toList())
        .hasSize(3)
        .allSatisfy(line -> assertThat(line.strip()).endsWith(" DE"));
    assertThat(first[1]).contains("sluice query --as analyst");
    assertThat(first[1])
        .containsPattern("The contract of curated.products held: .* [1-9][0-9]* contract checks");
    // the demo shows what it cost, by owner, priced with the demo's cost: prices
    assertThat(first[1]).contains("What it cost, by owner", "in EUR", "Top offenders: ");
    assertThat(first[0]).contains("finance-data", "crm-team");
    // two unit tests pass before the run, one of them on the incremental order_facts with 'this'
    assertThat(first[1])
        .contains("passed: daily_revenue_leaves_out_returned_orders (model daily_revenue")
        .contains("passed: order_facts_merges_new_orders (model order_facts");
    // the anomaly check is judged against the seeded 30-day history, with a band
    assertThat(first[1])
        .contains("Seeded 30 days of metric history of published.daily_revenue")
        .containsPattern(
            "The anomaly check on daily_revenue's row count: row_count [0-9,]+ is within the"
                + " expected [0-9.,]+ to [0-9.,]+ \\(median")
        .doesNotContain("too little history");
    assertThat(first[1])
        .contains("Freshness SLOs")
        .contains("daily_revenue (gold): fresh")
        .contains("against an SLO of 99.00% over 30d");
    assertThat(first[1].strip().lines().reduce((a, b) -> b).orElseThrow())
        .as("the demo ends by saying how to open the web UI")
        .contains("serve --dev", "http://127.0.0.1:8270/ui");
    Map<String, Long> counts = rowCounts(project);
    assertThat(counts.get("raw.shop_order_lines")).isGreaterThanOrEqualTo(1_000_000L);
    assertThat(counts.get("raw.shop_payments__rejected")).isEqualTo(3L);
    assertThat(counts).containsKeys("published.daily_revenue", "published.revenue_by_country");

    String revenue =
        run(
            "-p",
            project.toString(),
            "query",
            "select sum(net_revenue) from published.revenue_by_country",
            "--format",
            "csv")[0];

    assertThat(run("-p", project.toString(), "contract", "export", "products")[0])
        .contains("apiVersion: v3.1.0", "physicalName: curated.products", "primaryKey: true");

    run("-p", directory.toString(), "demo", "--dir", "shop");
    assertThat(rowCounts(project)).isEqualTo(counts);
    assertThat(
            run(
                "-p",
                project.toString(),
                "query",
                "select sum(net_revenue) from published.revenue_by_country",
                "--format",
                "csv")[0])
        .isEqualTo(revenue);
  }
}
