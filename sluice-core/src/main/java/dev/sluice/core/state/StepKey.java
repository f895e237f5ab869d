package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

/**
 * A step's identity in a run: the asset it materializes and, for a partitioned model, the
 * partitions it builds.
 *
 * <p>The run store records a step by its {@linkplain #name() name}, {@code asset} or {@code
 * asset[partition]}; {@link #parse(String)} reads such a name back, at the store's boundary only.
 *
 * @param asset the asset: a model, a seed or {@code source.table}
 * @param partition the label of the partitions the step builds (e.g. {@code 2024-03-01}, a range,
 *     or {@code *} for all of them), or null for a step that builds the whole asset
 */
public record StepKey(String asset, String partition) {
  public StepKey {
    requireNonNull(asset, "asset is null");
    if (asset.isEmpty()) {
      throw new IllegalArgumentException("A step's asset is empty");
    }
    if (partition != null && partition.isEmpty()) {
      throw new IllegalArgumentException("The partition of a step of " + asset + " is empty");
    }
  }

  /** The step that builds the whole of {@code asset}. */
  public static StepKey of(String asset) {
    return new StepKey(asset, null);
  }

  /** The step that builds the partitions labelled {@code partition} of {@code asset}. */
  public static StepKey of(String asset, String partition) {
    return new StepKey(asset, requireNonNull(partition, "partition is null"));
  }

  /** Whether the step builds partitions of its asset rather than all of it. */
  public boolean partitioned() {
    return partition != null;
  }

  /**
   * What the run store and the run's output call the step: {@code asset} or {@code
   * asset[partition]}.
   */
  public String name() {
    return partition == null ? asset : asset + "[" + partition + "]";
  }

  /**
   * The key of a step name as the run store records it: the inverse of {@link #name()}.
   *
   * @throws IllegalArgumentException when {@code name} is not a step name
   */
  public static StepKey parse(String name) {
    requireNonNull(name, "name is null");
    int bracket = name.indexOf('[');
    if (bracket < 0) {
      return of(name);
    }
    if (bracket == 0 || !name.endsWith("]") || bracket == name.length() - 2) {
      throw new IllegalArgumentException(
          "Not a step name: '" + name + "' (expected asset or asset[partition])");
    }
    return of(name.substring(0, bracket), name.substring(bracket + 1, name.length() - 1));
  }

  @Override
  public String toString() {
    return name();
  }
}
