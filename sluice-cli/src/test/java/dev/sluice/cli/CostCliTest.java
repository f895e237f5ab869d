package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
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
  void byPrincipalPutsEachRunsStepsUnderWhoStartedIt() throws Exception {
    InProcessCli.Result cost = sluice("--json", "cost", "--by", "principal");
    assertThat(cost.code()).as(cost.err()).isZero();
    JsonNode lines = JSON.readTree(cost.out()).get("lines");
    String me = dev.sluice.core.Workspace.localPrincipal();
    List<String> keys = new java.util.ArrayList<>();
    lines.forEach(line -> keys.add(line.get("key").asText()));
    assertThat(keys).as(cost.out()).containsExactlyInAnyOrder(me, "(storage)");
    JsonNode mine = lines.get(keys.indexOf(me));
    // the run (its steps) and the query, both by the local user
    assertThat(mine.get("runs").asLong()).isEqualTo(1);
    assertThat(mine.get("steps").asLong()).isPositive();
    assertThat(mine.get("queries").asLong()).isEqualTo(1);
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
  void outputDrawsTheCostOverTimeWithTheFiguresBehindIt(@TempDir Path out) throws Exception {
    Path directory = out.resolve("charts");
    InProcessCli.Result cost =
        sluice("cost", "--by", "owner", "--since", "7d", "--output", directory.toString());
    assertThat(cost.code()).as(cost.err()).isZero();
    assertThat(cost.err()).contains("Cost over time (7 buckets)", "cost-by-owner.png");

    BufferedImage image = ImageIO.read(directory.resolve("cost-by-owner.png").toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isGreaterThanOrEqualTo(800);

    List<String> rows = Files.readAllLines(directory.resolve("cost-by-owner.csv"));
    assertThat(rows.get(0)).isEqualTo("bucket,group,value,unit");
    List<String[]> figures = rows.stream().skip(1).map(row -> row.split(",")).toList();
    List<String> buckets = figures.stream().map(f -> f[0]).distinct().toList();
    assertThat(buckets).hasSize(7);
    assertThat(figures).allSatisfy(f -> assertThat(f[3]).isEqualTo("EUR"));
    // the project ran and was queried today: its cost is in the last day, none in the first
    String first = buckets.get(0);
    String last = buckets.get(buckets.size() - 1);
    assertThat(figures.stream().filter(f -> f[0].equals(first)))
        .allSatisfy(f -> assertThat(new BigDecimal(f[2])).isZero());
    assertThat(
            figures.stream()
                .filter(f -> f[0].equals(last) && f[1].equals("sales-team"))
                .map(f -> new BigDecimal(f[2])))
        .singleElement()
        .satisfies(value -> assertThat(value).isPositive());
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

    InProcessCli.Result file =
        sluice("cost", "--output", project.resolve("sluice.yaml").toString());
    assertThat(file.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(file.err()).contains("is a file: give a directory");

    InProcessCli.Result both = sluice("--json", "cost", "--csv");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--csv or --json");
  }
}
