package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.lake.Lake;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rejected records of a source table's loads, kept in {@code <table>__rejected}. Two tables
 * cannot change in one Iceberg commit, so a load commits its rejected records first, with the
 * load's id in the snapshot summary ({@link #LOAD_ID}), and then its data with the same id. A
 * commit of rejected records whose load id never reached the data table's main branch (the process
 * died between the two commits, the checks blocked the data, the commit failed) is rolled back
 * before the next load of the table, which reads the same records again: a crash neither loses
 * rejected records nor duplicates them.
 */
final class Quarantine {
  /** The snapshot summary key of a load's id, in the data table's and the rejected table's. */
  static final String LOAD_ID = "sluice.load-id";

  private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);

  private Quarantine() {}

  /** The table of {@code target}'s rejected records. */
  static TableName rejectedTable(TableName target) {
    return new TableName(target.zone(), target.name() + "__rejected");
  }

  /**
   * Rolls back the commits of rejected records whose load's data was never published to {@code
   * target}'s main branch; drops the rejected table when such a load created it.
   */
  static void removeUnconfirmed(Lake lake, TableName target) {
    TableName rejected = rejectedTable(target);
    Optional<Table> found = lake.findTable(rejected);
    if (found.isEmpty()) {
      return;
    }
    Table table = found.get();
    Table data = lake.findTable(target).orElse(null);
    Snapshot head = table.currentSnapshot();
    while (head != null && !confirmed(data, head.summary().get(LOAD_ID))) {
      LOG.info(
          "Removing the rejected records of load {} from {}: its data was never published to {}",
          head.summary().get(LOAD_ID),
          rejected,
          target);
      if (head.parentId() == null) {
        // the unpublished load created the table: as if it never ran
        lake.dropTable(rejected);
        return;
      }
      table.manageSnapshots().setCurrentSnapshot(head.parentId()).commit();
      head = table.snapshot(head.parentId());
    }
  }

  /** Whether the load of {@code loadId} (null: a commit of no load) is in the data's main. */
  private static boolean confirmed(Table data, String loadId) {
    if (loadId == null) {
      return true;
    }
    if (data == null || data.currentSnapshot() == null) {
      return false;
    }
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(data)) {
      if (loadId.equals(snapshot.summary().get(LOAD_ID))) {
        return true;
      }
    }
    return false;
  }
}
