package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.types.Type;

/**
 * A column declared in a project file.
 *
 * @param type the declared type as written (already validated), or null when not declared
 * @param description the description, or null
 * @param classification the governance tags declared for the column ({@code classification:}, e.g.
 *     {@code [pii, pii.email]}), or null when it declares none; the tags a column holds, inherited
 *     ones included, come from {@code dev.sluice.core.lineage.ColumnTags}
 */
public record ColumnDef(
    String name,
    String type,
    String description,
    ClassificationDef classification,
    List<CheckDef> checks,
    Location location) {
  public ColumnDef {
    requireNonNull(name, "name is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(location, "location is null");
    checks = List.copyOf(checks);
  }

  /** The declared type as an Iceberg type (nested field ids are placeholders). */
  public Optional<Type> icebergType() {
    return type == null ? Optional.empty() : Optional.of(ColumnTypes.parse(type, location));
  }
}
