package dev.sluice.api.connector;

import java.util.Map;

/**
 * What earlier loads of a table read, as committed with its data: for file sources, each loaded
 * file's path (relative to the project) and checksum.
 */
public record LoadState(Map<String, String> loadedFiles) {
  public LoadState {
    loadedFiles = Map.copyOf(loadedFiles);
  }

  public static LoadState empty() {
    return new LoadState(Map.of());
  }
}
