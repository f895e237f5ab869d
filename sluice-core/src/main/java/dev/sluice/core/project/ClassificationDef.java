package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;

/**
 * The {@code classification:} of a column as written: governance tags such as {@code pii} or {@code
 * pii.email} (free tags too, lower-case words joined by dots).
 *
 * @param tags the tags; empty for an explicit {@code classification: []}, which on a model column
 *     stops the tags its inputs would pass on
 * @param reason the {@code classification_reason:}, or null; required with an empty list on a model
 *     column
 * @param location where {@code classification:} is written
 */
public record ClassificationDef(List<String> tags, String reason, Location location) {
  public ClassificationDef {
    requireNonNull(tags, "tags is null");
    requireNonNull(location, "location is null");
    tags = List.copyOf(tags);
  }

  /** Whether this is an explicit {@code classification: []}. */
  public boolean cleared() {
    return tags.isEmpty();
  }
}
