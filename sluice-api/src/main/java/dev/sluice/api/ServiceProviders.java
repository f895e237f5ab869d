package dev.sluice.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The installed implementations of an SPI (connectors, engines), found with {@link ServiceLoader}.
 */
public final class ServiceProviders {
  private ServiceProviders() {}

  /**
   * Every installed implementation of {@code type}, sorted by name; the first found wins when two
   * share a name.
   */
  public static <T> List<T> installed(Class<T> type, Function<T, String> name) {
    List<T> providers = new ArrayList<>();
    for (T provider : ServiceLoader.load(type)) {
      String providerName = name.apply(provider);
      if (providers.stream().noneMatch(p -> name.apply(p).equals(providerName))) {
        providers.add(provider);
      }
    }
    providers.sort(Comparator.comparing(name));
    return List.copyOf(providers);
  }
}
