package dev.sluice.core.project;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code budgets:} of sluice.yaml, the monthly budgets of owners and tags:
 *
 * <pre>
 * budgets:
 *   - {owner: finance-data, monthly: 50, warn_at: 80%, hard: true}
 *   - {tag: marketing, monthly: 20}
 * </pre>
 *
 * Amounts are in {@code cost.currency}; budgets need {@code cost:} prices.
 */
final class BudgetsParser {
  static final String KEY = "budgets";
  private static final Set<String> KEYS = Set.of("owner", "tag", "monthly", "warn_at", "hard");
  private static final Pattern AMOUNT = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*");
  private static final Pattern PERCENT = Pattern.compile("\\s*(\\d+)\\s*%?\\s*");
  private static final int DEFAULT_WARN_PERCENT = 80;

  private BudgetsParser() {}

  static List<BudgetDef> parse(YamlMap config, CostPrices prices) {
    List<BudgetDef> budgets = new ArrayList<>();
    List<Node> items = config.list(KEY);
    for (int i = 0; i < items.size(); i++) {
      String what = "budgets[" + i + "]";
      Optional<YamlMap> item =
          YamlMap.of(config.file(), items.get(i), what, KEYS, config.problems());
      item.flatMap(budget -> budget(budget, what)).ifPresent(budgets::add);
    }
    if (!budgets.isEmpty() && !prices.declared()) {
      config
          .problems()
          .add(
              config.location(KEY),
              "budgets: need prices to count against, and sluice.yaml has no cost: prices",
              "add e.g. cost: {currency: EUR, compute: 0.048 per cpu-hour, storage: 0.023 per"
                  + " gb-month, query: 5 per tb-scanned}");
    }
    return budgets;
  }

  private static Optional<BudgetDef> budget(YamlMap budget, String what) {
    String owner = budget.string("owner");
    String tag = budget.string("tag");
    if ((owner == null) == (tag == null)) {
      budget
          .problems()
          .add(
              budget.location(),
              what
                  + " must name an owner or a tag, "
                  + (owner == null ? "not neither" : "not both"),
              "write e.g. - {owner: finance-data, monthly: 50} or - {tag: marketing, monthly: 20}");
      return Optional.empty();
    }
    String monthlyText = budget.string("monthly");
    Matcher amount = monthlyText == null ? null : AMOUNT.matcher(monthlyText);
    if (amount == null || !amount.matches() || new BigDecimal(amount.group(1)).signum() <= 0) {
      budget
          .problems()
          .add(
              budget.has("monthly") ? budget.location("monthly") : budget.location(),
              what
                  + (monthlyText == null
                      ? " has no monthly amount"
                      : " monthly '" + monthlyText + "' is not a positive amount"),
              "write the amount a month may cost in cost.currency, e.g. monthly: 50");
      return Optional.empty();
    }
    int warn = DEFAULT_WARN_PERCENT;
    String warnText = budget.string("warn_at");
    if (warnText != null) {
      Matcher percent = PERCENT.matcher(warnText);
      int value = percent.matches() ? Integer.parseInt(percent.group(1)) : -1;
      if (value < 1 || value > 100) {
        budget
            .problems()
            .add(
                budget.location("warn_at"),
                what + " warn_at '" + warnText + "' is not a percentage from 1% to 100%",
                "write e.g. warn_at: 80%");
        return Optional.empty();
      }
      warn = value;
    }
    Boolean hard = budget.bool("hard", false);
    return Optional.of(
        new BudgetDef(
            owner == null ? null : owner.strip(),
            tag == null ? null : tag.strip(),
            new BigDecimal(amount.group(1)),
            warn,
            hard != null && hard,
            budget.location()));
  }
}
