package dev.sluice.core.cost;

import dev.sluice.api.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code sluice cost --by} groups costs by. */
public enum CostDimension {
  /** Each asset (model, seed, source table). */
  ASSET,
  /** The asset's {@code owner}; {@code (no owner)} when it has none. */
  OWNER,
  /** A model's {@code tier}; {@code (no tier)} otherwise. */
  TIER,
  /** Each of an asset's tags: an asset with two tags counts in both. */
  TAG,
  /** The source a source table belongs to; models and seeds are {@code (models)}. */
  SOURCE,
  /** Who ran the queries; the work of runs is {@code (runs)}, storage {@code (storage)}. */
  PRINCIPAL;

  /** The name written on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The dimension named {@code text}.
   *
   * @throws InvalidInputException naming the dimensions there are
   */
  public static CostDimension parse(String text) {
    for (CostDimension dimension : values()) {
      if (dimension.label().equalsIgnoreCase(text.strip())) {
        return dimension;
      }
    }
    throw new InvalidInputException(
        "Cannot group costs by '"
            + text
            + "': use --by "
            + Arrays.stream(values()).map(CostDimension::label).collect(Collectors.joining("|")));
  }
}
