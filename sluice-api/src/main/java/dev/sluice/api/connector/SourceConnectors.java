package dev.sluice.api.connector;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ServiceProviders;
import java.util.List;
import java.util.Optional;

/** The installed {@link SourceConnector}s, found with {@link ServiceLoader}. */
public final class SourceConnectors {
  private SourceConnectors() {}

  /** Every installed connector, sorted by type; the first found wins when two share a type. */
  public static List<SourceConnector> all() {
    return ServiceProviders.installed(SourceConnector.class, SourceConnector::type);
  }

  /** The connector of a type, if installed. */
  public static Optional<SourceConnector> find(String type) {
    return all().stream().filter(connector -> connector.type().equals(type)).findFirst();
  }

  /**
   * The connector of a type.
   *
   * @throws InvalidInputException when none is installed, listing those that are
   */
  public static SourceConnector get(String type) {
    return find(type)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "No connector of type '"
                        + type
                        + "' is installed; the connectors are: "
                        + String.join(", ", all().stream().map(SourceConnector::type).toList())));
  }
}
