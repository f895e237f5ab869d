package dev.sluice.api.connector;

import java.util.Map;

/**
 * What earlier loads of a table read, as committed with its data.
 *
 * @param loadedFiles for file sources, each loaded file's path (relative to the project) and
 *     checksum
 * @param state what the connector returned in {@link StagedData#state()} at the last load, e.g. the
 *     last cursor value; empty before the first load and after a full refresh
 */
public record LoadState(Map<String, String> loadedFiles, Map<String, String> state) {
  public LoadState {
    loadedFiles = Map.copyOf(loadedFiles);
    state = Map.copyOf(state);
  }

  public LoadState(Map<String, String> loadedFiles) {
    this(loadedFiles, Map.of());
  }

  public static LoadState empty() {
    return new LoadState(Map.of(), Map.of());
  }
}
