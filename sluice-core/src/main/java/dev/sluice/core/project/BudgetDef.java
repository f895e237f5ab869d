package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.math.BigDecimal;

/**
 * A monthly budget of {@code budgets:} in sluice.yaml, for the assets of one owner or with one tag.
 *
 * @param owner the owner whose assets it covers, or null when it covers a tag
 * @param tag the tag whose assets it covers, or null when it covers an owner
 * @param monthly the amount a calendar month (UTC) may cost, in {@code cost.currency}
 * @param warnPercent the share of {@code monthly} at which a warning is raised (1 to 100)
 * @param hard whether a run that would exceed it is refused before it starts
 * @param location where it is declared
 */
public record BudgetDef(
    String owner,
    String tag,
    BigDecimal monthly,
    int warnPercent,
    boolean hard,
    Location location) {
  public BudgetDef {
    if ((owner == null) == (tag == null)) {
      throw new IllegalArgumentException("a budget covers an owner or a tag");
    }
    requireNonNull(monthly, "monthly is null");
    requireNonNull(location, "location is null");
    if (warnPercent < 1 || warnPercent > 100) {
      throw new IllegalArgumentException("warnPercent must be 1 to 100: " + warnPercent);
    }
  }

  /** {@code owner finance-data} or {@code tag marketing}. */
  public String describe() {
    return owner != null ? "owner " + owner : "tag " + tag;
  }

  /** The owner or the tag it covers. */
  public String key() {
    return owner != null ? owner : tag;
  }
}
