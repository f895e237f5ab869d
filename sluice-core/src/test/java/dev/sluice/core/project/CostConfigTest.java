package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cost:} of sluice.yaml: prices normalized to one unit, and each mistake at its line. */
class CostConfigTest {
  @TempDir Path root;

  @Test
  void noBlockDeclaresNoPrices() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    assertThat(Project.load(root).config().cost().declared()).isFalse();
  }

  @Test
  void pricesAreNormalizedToCpuHoursGigabyteMonthsAndScannedTerabytes() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n"
            + "cost:\n"
            + "  currency: eur\n"
            + "  compute: 0.00002 per cpu-second\n"
            + "  storage: 23 EUR per tb-month\n"
            + "  query: 0.005/gb-scanned\n");
    CostPrices prices = Project.load(root).config().cost();
    assertThat(prices.declared()).isTrue();
    assertThat(prices.currency().getCurrencyCode()).isEqualTo("EUR");
    assertThat(prices.cpuHour()).isEqualByComparingTo(new BigDecimal("0.072"));
    assertThat(prices.gbMonth()).isEqualByComparingTo(new BigDecimal("0.023"));
    assertThat(prices.tbScanned()).isEqualByComparingTo(new BigDecimal("5"));
  }

  @Test
  void aPriceInTheUnitOfAnotherKindIsAProblemAtItsLine() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\ncost:\n  currency: USD\n  compute: 0.05 per cpu-hour\n"
            + "  storage: 0.02 per cpu-hour\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:5")
        .contains("cost.storage is priced per 'cpu-hour', not a storage unit")
        .contains("per gb-month or per tb-month");
  }

  @Test
  void anUnknownUnitIsAProblemAtItsLine() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\ncost:\n  currency: USD\n  query: 5 per row\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("cost.query is priced per 'row'")
        .contains("per gb-scanned or per tb-scanned");
  }

  @Test
  void anUnknownCurrencyIsAProblemAtItsLine() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\ncost:\n  currency: EURO\n  compute: 1 per cpu-hour\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("Unknown currency 'EURO' in cost.currency")
        .contains("ISO 4217");
  }

  @Test
  void aPriceInAnotherCurrencyIsAProblemAtItsLine() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\ncost:\n  currency: EUR\n  compute: 0.05 USD per cpu-hour\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("cost.compute is priced in USD but cost.currency is EUR");
  }

  @Test
  void aMissingCurrencyOrAnAmountWithoutUnitIsAProblem() {
    TestProjects.write(root, "sluice.yaml", "name: shop\ncost:\n  compute: 0.05 per cpu-hour\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("cost: has no currency");

    TestProjects.write(
        root, "sluice.yaml", "name: shop\ncost:\n  currency: EUR\n  storage: 0.023\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("cost.storage '0.023' is not a price")
        .contains("storage: 0.023 per gb-month");

    TestProjects.write(root, "sluice.yaml", "name: shop\ncost:\n  currency: EUR\n  budget: 10\n");
    assertThat(TestProjects.onlyProblem(root).toString()).startsWith("sluice.yaml:4");
  }
}
