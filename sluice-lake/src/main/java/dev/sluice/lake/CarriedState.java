package dev.sluice.lake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The load state a snapshot's summary carries (the files loaded so far, the connector's state, the
 * fingerprint of the model that built the table), which the next load of a source table and the
 * planner read from the table's current snapshot. Every commit that is not a load (a retention or
 * erasure delete, a compaction, a manifest rewrite) carries it forward, here, in the lake's write
 * path, or the next {@code append} load would read every file again and duplicate the rows.
 *
 * <p>Such a commit also records which snapshot it copied the state from ({@value #CARRIED_FROM}).
 * When a load commits between the copy and the commit, Iceberg's retry places the commit on top of
 * that load with the state copied before it; {@link #of} then sees that the copy is not of the
 * commit's parent and reads the parent's state instead, so a concurrent load is never loaded twice.
 */
public final class CarriedState {
  /** The files loaded so far, as JSON. */
  public static final String LOADED_FILES = "sluice.loaded-files";

  /** The connector's state (a cursor, a log position), as JSON. */
  public static final String SOURCE_STATE = "sluice.source-state";

  /** The fingerprint of the model SQL and configuration that built the table. */
  public static final String MODEL_FINGERPRINT = "sluice.model-fingerprint";

  /** The snapshot whose load state a commit that is not a load copied. */
  public static final String CARRIED_FROM = "sluice.load-state-from";

  private static final List<String> KEYS = List.of(LOADED_FILES, SOURCE_STATE, MODEL_FINGERPRINT);

  private CarriedState() {}

  /**
   * The load state valid at {@code snapshot} (none for a null snapshot): its own, unless it copied
   * the state from a snapshot other than its parent, then its parent's (and so on).
   */
  public static Map<String, String> of(Table table, Snapshot snapshot) {
    Snapshot holder = snapshot;
    while (holder != null) {
      String from = holder.summary().get(CARRIED_FROM);
      Long parent = holder.parentId();
      if (from == null || parent == null || from.equals(Long.toString(parent))) {
        break;
      }
      Snapshot parentSnapshot = table.snapshot(parent);
      if (parentSnapshot == null) {
        // the parent was expired: the copy is the best state left
        break;
      }
      holder = parentSnapshot;
    }
    Map<String, String> state = new LinkedHashMap<>();
    if (holder != null) {
      for (String key : KEYS) {
        String value = holder.summary().get(key);
        if (value != null) {
          state.put(key, value);
        }
      }
    }
    return state;
  }

  /**
   * The summary properties a commit that is not a load sets, made on top of the table's current
   * snapshot: its load state and where it was copied from (none for a table without data).
   */
  static Map<String, String> carry(Table table) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return Map.of();
    }
    Map<String, String> carried = of(table, current);
    carried.put(CARRIED_FROM, Long.toString(current.snapshotId()));
    return carried;
  }
}
