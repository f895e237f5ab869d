package dev.sluice.api.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The installed {@link EngineProvider}s, found with {@link ServiceLoader}. */
public final class Engines {
  /** The engine a project runs on when {@code sluice.yaml} names none. */
  public static final String DEFAULT = "duckdb";

  private Engines() {}

  /** Every installed engine, sorted by name; the first found wins when two share a name. */
  public static List<EngineProvider> installed() {
    List<EngineProvider> providers = new ArrayList<>();
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class)) {
      if (providers.stream().noneMatch(p -> p.name().equals(provider.name()))) {
        providers.add(provider);
      }
    }
    providers.sort(Comparator.comparing(EngineProvider::name));
    return List.copyOf(providers);
  }

  /** The names of the installed engines, sorted. */
  public static List<String> names() {
    return installed().stream().map(EngineProvider::name).toList();
  }

  /** The engine of a name, if installed. */
  public static Optional<EngineProvider> find(String name) {
    return installed().stream().filter(provider -> provider.name().equals(name)).findFirst();
  }
}
