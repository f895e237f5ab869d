package dev.sluice.core.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;

/**
 * The load state a source table's snapshot carries: the files loaded so far and the connector's
 * state (e.g. a cursor), read by the next load from the table's current snapshot. A commit that is
 * not a load (a deletion by retention or erasure, maintenance) must carry it forward, or the next
 * {@code append} load reads every file again and duplicates the rows.
 */
public final class LoadStateSummary {
  private static final List<String> KEYS =
      List.of(SourceStep.LOADED_FILES, SourceStep.SOURCE_STATE);

  private LoadStateSummary() {}

  /** The load state entries of {@code snapshot}'s summary (none for a null snapshot). */
  public static Map<String, String> of(Snapshot snapshot) {
    Map<String, String> carried = new LinkedHashMap<>();
    if (snapshot != null) {
      for (String key : KEYS) {
        String value = snapshot.summary().get(key);
        if (value != null) {
          carried.put(key, value);
        }
      }
    }
    return carried;
  }
}
