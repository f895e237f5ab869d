package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hard budget refuses, before it starts, a run of the assets it covers once their month's cost
 * would pass its amount; other assets still run. The figure is storage (measured by sluice cost),
 * priced so high that any table passes the budget: deterministic, unlike CPU time.
 */
class BudgetCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void aRunThatWouldExceedAHardBudgetIsRefusedWithTheFigures() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: shop\n"
            + "cost:\n"
            + "  currency: EUR\n"
            + "  compute: 0.05 per cpu-hour\n"
            + "  storage: 1000000000000 per gb-month\n"
            + "budgets:\n"
            + "  - {owner: sales-team, monthly: 1, hard: true}\n"
            + "  - {tag: misc, monthly: 1000000000000000000, warn_at: 90%}\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/*.csv\n    owner: sales-team\n");
    write(project, "data/a.csv", "id,amount\n1,10\n2,20\n");
    write(project, "seeds/countries.csv", "code,name\nDE,Germany\n");
    // nothing spent yet, no history to estimate from: the first run goes ahead
    InProcessCli.Result first = sluice("run");
    assertThat(first.code()).as(first.err()).isZero();

    InProcessCli.Result cost = sluice("cost");
    assertThat(cost.code()).as(cost.err()).isZero();
    assertThat(cost.out())
        .contains("Budgets this month", "owner sales-team:", ", spent", "hard: runs that would");

    InProcessCli.Result refused = sluice("run");
    assertThat(refused.code()).isEqualTo(ExitCodes.BUDGET_EXCEEDED);
    assertThat(refused.err())
        .contains("Run refused: the budget of owner sales-team (sluice.yaml:7)")
        .contains("is 1.00 EUR a month; its assets cost ")
        .contains("this run's 1 step(s) of them are estimated at ")
        .contains("Raise its monthly amount");

    // a run of assets the budget does not cover goes ahead
    InProcessCli.Result other = sluice("run", "--select", "countries");
    assertThat(other.code()).as(other.err()).isZero();

    JsonNode report = JSON.readTree(sluice("--json", "cost").out());
    JsonNode sales = report.get("budgets").get(0);
    assertThat(sales.get("owner").asText()).isEqualTo("sales-team");
    assertThat(sales.get("exceeded").asBoolean()).isTrue();
    assertThat(sales.get("hard").asBoolean()).isTrue();
    assertThat(report.get("budgets").get(1).get("tag").asText()).isEqualTo("misc");
    assertThat(report.get("budgets").get(1).get("warning").asBoolean()).isFalse();
  }
}
