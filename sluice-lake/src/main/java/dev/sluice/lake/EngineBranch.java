package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;

/**
 * A branch of one table that an engine commits to itself, through the lake's catalog (Spark's
 * {@code MERGE INTO}): it starts at the head of the branch a write publishes to, the engine commits
 * its changes there, and {@link #changes()} reads the data files it added and removed, which the
 * step's own write then commits to its audit branch with the step's snapshot properties (as a
 * {@link WriteOperation#rewriteFiles}), so that the step publishes one snapshot of Sluice's. The
 * branch is the step's own: starting it again (a resumed step) points it back at the head, dropping
 * whatever an earlier attempt committed there.
 */
public final class EngineBranch {
  private final Lake lake;
  private final TableName name;
  private final String branch;
  private final long startSnapshotId;

  /**
   * What the engine committed on the branch.
   *
   * @param rewrite the files of the start snapshot the engine removed (rewrote), read at it
   * @param added the data files the engine added
   * @param snapshots how many snapshots the engine committed
   */
  public record Changes(FileRewrite rewrite, List<DataFile> added, int snapshots) {
    public Changes {
      requireNonNull(rewrite, "rewrite is null");
      added = List.copyOf(added);
    }

    /** The rows of the added files. */
    public long addedRows() {
      return added.stream().mapToLong(DataFile::recordCount).sum();
    }

    /** The bytes of the added files. */
    public long addedBytes() {
      return added.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    }
  }

  private EngineBranch(Lake lake, TableName name, String branch, long startSnapshotId) {
    this.lake = lake;
    this.name = name;
    this.branch = branch;
    this.startSnapshotId = startSnapshotId;
  }

  /**
   * Points branch {@code branch} of {@code name} at the head of {@code target} (main, or an
   * environment's branch; main's head when the table has no such branch yet), replacing the branch
   * if it exists.
   *
   * @throws IllegalStateException when the table has no snapshot to start from
   */
  public static EngineBranch start(Lake lake, TableName name, String branch, String target) {
    requireNonNull(lake, "lake is null");
    requireNonNull(name, "name is null");
    requireNonNull(branch, "branch is null");
    Table table = lake.loadTable(name);
    SnapshotRef targetRef = table.refs().get(requireNonNull(target, "target is null"));
    Snapshot head =
        targetRef == null ? table.currentSnapshot() : table.snapshot(targetRef.snapshotId());
    if (head == null) {
      throw new IllegalStateException("Table " + name + " has no snapshot to start a branch at");
    }
    if (table.refs().containsKey(branch)) {
      table.manageSnapshots().replaceBranch(branch, head.snapshotId()).commit();
    } else {
      table.manageSnapshots().createBranch(branch, head.snapshotId()).commit();
    }
    return new EngineBranch(lake, name, branch, head.snapshotId());
  }

  /** The branch's name. */
  public String name() {
    return branch;
  }

  /** The snapshot the branch started at: the head of the write's target then. */
  public long startSnapshotId() {
    return startSnapshotId;
  }

  /**
   * The data files the engine's commits on the branch added and removed since it started.
   *
   * @throws DataException when the engine wrote delete files (a merge-on-read write), which Sluice
   *     does not commit: set the table's {@code write.merge.mode} to {@code copy-on-write}
   * @throws IllegalStateException when the branch is gone or no longer descends from its start
   */
  public Changes changes() {
    Table table = lake.loadTable(name);
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null) {
      throw new IllegalStateException("Branch " + branch + " of " + name + " is gone");
    }
    List<Snapshot> engineSnapshots = new ArrayList<>();
    Snapshot snapshot = table.snapshot(ref.snapshotId());
    while (snapshot.snapshotId() != startSnapshotId) {
      engineSnapshots.add(0, snapshot);
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
      if (snapshot == null) {
        throw new IllegalStateException(
            "Branch " + branch + " of " + name + " no longer descends from " + startSnapshotId);
      }
    }
    Map<String, DataFile> added = new LinkedHashMap<>();
    Map<String, DataFile> removed = new LinkedHashMap<>();
    for (Snapshot engine : engineSnapshots) {
      SnapshotChanges changes = SnapshotChanges.builderFor(table).snapshot(engine).build();
      List<DeleteFile> deletes = new ArrayList<>();
      changes.addedDeleteFiles().forEach(deletes::add);
      if (!deletes.isEmpty()) {
        throw new DataException(
            "The engine's merge into "
                + name
                + " wrote delete files (merge-on-read), which Sluice does not commit; nothing was"
                + " published. Set the table's write.merge.mode to copy-on-write");
      }
      for (DataFile file : changes.removedDataFiles()) {
        // a file the engine added and removed again is neither
        if (added.remove(file.location()) == null) {
          removed.put(file.location(), file.copy());
        }
      }
      for (DataFile file : changes.addedDataFiles()) {
        added.put(file.location(), file.copy());
      }
    }
    return new Changes(
        new FileRewrite(startSnapshotId, List.copyOf(removed.values())),
        List.copyOf(added.values()),
        engineSnapshots.size());
  }

  /** Removes the branch, if it is still there; the snapshots only it held stay until expired. */
  public void drop() {
    Table table = lake.loadTable(name);
    if (table.refs().containsKey(branch)) {
      table.manageSnapshots().removeBranch(branch).commit();
    }
  }
}
