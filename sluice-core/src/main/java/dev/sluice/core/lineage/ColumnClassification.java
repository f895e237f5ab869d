package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.lineage.ColumnRef;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classification tags one column holds, each with why.
 *
 * @param column the table and column
 * @param asset the asset whose table it is
 * @param origins each tag's origins: declared, or inherited from which input columns
 * @param clearedReason the {@code classification_reason} of an explicit {@code classification: []}
 *     that stopped the tags of its inputs, or null
 */
public record ColumnClassification(
    ColumnRef column, String asset, List<TagOrigin> origins, String clearedReason) {
  public ColumnClassification {
    requireNonNull(column, "column is null");
    requireNonNull(asset, "asset is null");
    requireNonNull(origins, "origins is null");
    origins = List.copyOf(origins);
  }

  /** The tags, sorted. */
  public Set<String> tags() {
    Set<String> tags = new TreeSet<>();
    origins.forEach(origin -> tags.add(origin.tag()));
    return tags;
  }

  /**
   * Whether the column holds {@code tag} or a tag below it: {@code pii} matches {@code pii} and
   * {@code pii.email}, not {@code piiish}.
   */
  public boolean hasTag(String tag) {
    return tags().stream().anyMatch(held -> ColumnTags.matches(held, tag));
  }

  /** The tags matching {@code tag} (see {@link #hasTag}). */
  public Set<String> tagsMatching(String tag) {
    Set<String> matching = new TreeSet<>();
    tags().stream().filter(held -> ColumnTags.matches(held, tag)).forEach(matching::add);
    return matching;
  }
}
