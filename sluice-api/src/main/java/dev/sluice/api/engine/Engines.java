package dev.sluice.api.engine;

import dev.sluice.api.ServiceProviders;
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
    return ServiceProviders.installed(EngineProvider.class, EngineProvider::name);
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
