package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code budgets:} of sluice.yaml: owners' and tags' monthly amounts, and each mistake. */
class BudgetsConfigTest {
  private static final String PRICES =
      "cost: {currency: EUR, compute: 0.05 per cpu-hour, storage: 0.02 per gb-month}\n";

  @TempDir Path root;

  @Test
  void budgetsOfOwnersAndTagsWithTheirWarningShareAndHardness() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n"
            + PRICES
            + "budgets:\n"
            + "  - {owner: finance-data, monthly: 50, warn_at: 90%, hard: true}\n"
            + "  - {tag: marketing, monthly: 12.5}\n");
    var budgets = Project.load(root).config().budgets();
    assertThat(budgets).hasSize(2);
    assertThat(budgets.get(0).describe()).isEqualTo("owner finance-data");
    assertThat(budgets.get(0).monthly()).isEqualByComparingTo(new BigDecimal("50"));
    assertThat(budgets.get(0).warnPercent()).isEqualTo(90);
    assertThat(budgets.get(0).hard()).isTrue();
    assertThat(budgets.get(1).describe()).isEqualTo("tag marketing");
    assertThat(budgets.get(1).warnPercent()).as("the default").isEqualTo(80);
    assertThat(budgets.get(1).hard()).isFalse();
    assertThat(budgets.get(1).location().line()).isEqualTo(5);
  }

  @Test
  void aBudgetNamesAnOwnerOrATagNotBothNorNeither() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n" + PRICES + "budgets:\n  - {owner: a, tag: b, monthly: 5}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("budgets[0] must name an owner or a tag, not both");

    TestProjects.write(
        root, "sluice.yaml", "name: shop\n" + PRICES + "budgets:\n  - {monthly: 5}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("not neither");
  }

  @Test
  void aMonthlyAmountMustBePositiveAndWarnAtAPercentage() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\n" + PRICES + "budgets:\n  - {owner: a, monthly: -5}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("monthly '-5' is not a positive amount");

    TestProjects.write(root, "sluice.yaml", "name: shop\n" + PRICES + "budgets:\n  - {owner: a}\n");
    assertThat(TestProjects.onlyProblem(root).toString()).contains("has no monthly amount");

    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n" + PRICES + "budgets:\n  - {owner: a, monthly: 5, warn_at: 150%}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("warn_at '150%' is not a percentage from 1% to 100%");
  }

  @Test
  void budgetsNeedPricesToCountAgainst() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nbudgets:\n  - {owner: a, monthly: 5}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("budgets: need prices to count against");
  }
}
