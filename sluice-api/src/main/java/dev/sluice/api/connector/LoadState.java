package dev.sluice.api.connector;

import java.util.Map;
import java.util.Optional;

/**
 * What earlier loads of a table read, as committed with its data, and whether this load replays a
 * window.
 *
 * @param loadedFiles for file sources, each loaded file's path (relative to the project) and
 *     checksum
 * @param state what the connector returned in {@link StagedData#state()} at the last load, e.g. the
 *     last cursor value; empty before the first load and after a full refresh
 * @param replay the window to read again, or null for an ordinary load; only given to connectors
 *     whose {@link SourceConnector#supportsReplay()} is true
 */
public record LoadState(
    Map<String, String> loadedFiles, Map<String, String> state, ReplayWindow replay) {
  public LoadState {
    loadedFiles = Map.copyOf(loadedFiles);
    state = Map.copyOf(state);
  }

  public LoadState(Map<String, String> loadedFiles, Map<String, String> state) {
    this(loadedFiles, state, null);
  }

  public LoadState(Map<String, String> loadedFiles) {
    this(loadedFiles, Map.of(), null);
  }

  public static LoadState empty() {
    return new LoadState(Map.of(), Map.of(), null);
  }

  /** The same state, asking the connector to read {@code window} again. */
  public LoadState withReplay(ReplayWindow window) {
    return new LoadState(loadedFiles, state, window);
  }

  /** The replay window, when this load is a replay. */
  public Optional<ReplayWindow> replayWindow() {
    return Optional.ofNullable(replay);
  }
}
