package dev.sluice.api.connector;

import dev.sluice.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The installed {@link SourceConnector}s, found with {@link ServiceLoader}. */
public final class SourceConnectors {
  private SourceConnectors() {}

  /** Every installed connector, sorted by type. */
  public static List<SourceConnector> all() {
    List<SourceConnector> connectors = new ArrayList<>();
    for (SourceConnector connector : ServiceLoader.load(SourceConnector.class)) {
      if (connectors.stream().noneMatch(c -> c.type().equals(connector.type()))) {
        connectors.add(connector);
      }
    }
    connectors.sort(Comparator.comparing(SourceConnector::type));
    return List.copyOf(connectors);
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
