package dev.sluice.core.project;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Unmodifiable copies that keep the order of their input (unlike {@code Map.copyOf}). */
final class Copies {
  private Copies() {}

  /** An unmodifiable copy in the input's order; values may be null (YAML allows them). */
  static <K, V> Map<K, V> orderedMap(Map<K, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  static <T> Set<T> orderedSet(Set<T> set) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(set));
  }
}
