package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Named branches of the warehouse's tables beside main: an environment's branch holds the snapshots
 * an environment built of a table, which share every file they did not rewrite with main.
 */
public final class Branches {
  private final Lake lake;

  Branches(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /**
   * What removing a branch from a table did.
   *
   * @param table the table
   * @param removed whether the table had the branch
   * @param tableDropped whether the table was dropped too: only the branch held data (the table was
   *     created for it and main never had a snapshot)
   * @param deletedFiles the files deleted because no other branch or snapshot referenced them
   */
  public record Removal(
      TableName table, boolean removed, boolean tableDropped, List<String> deletedFiles) {
    public Removal {
      requireNonNull(table, "table is null");
      deletedFiles = List.copyOf(deletedFiles);
    }
  }

  /** The snapshot at the head of a table's branch, or empty when the table or branch is missing. */
  public Optional<Long> head(TableName table, String branch) {
    return lake.findTable(table)
        .map(found -> found.refs().get(branch))
        .map(SnapshotRef::snapshotId);
  }

  /** The tables of the warehouse that have a branch of this name. */
  public List<TableName> tablesWith(String branch) {
    List<TableName> tables = new ArrayList<>();
    for (TableName name : lake.listTables()) {
      try {
        if (head(name, branch).isPresent()) {
          tables.add(name);
        }
      } catch (DamagedTableException e) {
        // a damaged table has no readable branches: 'sluice tables' reports it
      }
    }
    return tables;
  }

  /**
   * Removes a branch from a table and deletes the files only its snapshots referenced: the
   * snapshots of the branch that no other branch (main included) has in its history are expired, as
   * Iceberg's {@code ExpireSnapshots} does, finding the files to delete by reachability. A table
   * that has no other branch left and no snapshot on main (it was created for the branch) is
   * dropped with its files. Main's data and history are never touched.
   *
   * @throws IllegalArgumentException when {@code branch} is main
   */
  public Removal remove(TableName name, String branch) {
    if (branch.equals(SnapshotRef.MAIN_BRANCH)) {
      throw new IllegalArgumentException("Cannot remove the main branch of " + name);
    }
    Optional<Table> found = lake.findTable(name);
    if (found.isEmpty() || !found.get().refs().containsKey(branch)) {
      return new Removal(name, false, false, List.of());
    }
    Table table = found.get();
    Map<String, SnapshotRef> refs = table.refs();
    if (refs.size() == 1) {
      // only this branch: a table created for the environment
      lake.dropTable(name);
      return new Removal(name, true, true, List.of());
    }
    Set<Long> onlyThisBranch = history(table, refs.get(branch).snapshotId());
    for (Map.Entry<String, SnapshotRef> ref : refs.entrySet()) {
      if (!ref.getKey().equals(branch)) {
        onlyThisBranch.removeAll(history(table, ref.getValue().snapshotId()));
      }
    }
    table.manageSnapshots().removeBranch(branch).commit();
    if (onlyThisBranch.isEmpty()) {
      return new Removal(name, true, false, List.of());
    }
    List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    FileIO io = table.io();
    // expiring by age from the epoch keeps every other snapshot: only the named ones go
    ExpireSnapshots expire =
        table
            .expireSnapshots()
            .expireOlderThan(0L)
            .deleteWith(
                path -> {
                  io.deleteFile(path);
                  deleted.add(path);
                });
    onlyThisBranch.forEach(expire::expireSnapshotId);
    expire.commit();
    return new Removal(name, true, false, deleted);
  }

  /**
   * Moves a table's main to {@code to}, a snapshot of the table (an environment's head), when main
   * is at {@code expected}; does nothing when main is already at {@code to}. The table's current
   * schema becomes the one {@code to} was written with, so that every engine reading main reads it
   * alike. For a promotion, {@code to} descends from {@code expected} (a fast-forward); for a
   * rollback it is main's earlier snapshot.
   *
   * @param expected main's head now, or null when main has no snapshot
   * @return whether main moved
   * @throws dev.sluice.api.InvalidInputException when main is neither at {@code expected} nor at
   *     {@code to}: production changed meanwhile
   */
  public boolean moveMain(TableName name, Long expected, long to) {
    Table table = lake.loadTable(name);
    SnapshotRef main = table.refs().get(SnapshotRef.MAIN_BRANCH);
    Long current = main == null ? null : main.snapshotId();
    if (current != null && current == to) {
      return false;
    }
    if (!java.util.Objects.equals(current, expected)) {
      throw new dev.sluice.api.InvalidInputException(
          "Production's "
              + name
              + " is at snapshot "
              + current
              + ", not "
              + expected
              + " as expected: it changed meanwhile");
    }
    if (table.snapshot(to) == null) {
      throw new dev.sluice.api.InvalidInputException(
          "Table " + name + " has no snapshot " + to + " (it was expired or dropped)");
    }
    if (main == null) {
      table.manageSnapshots().createBranch(SnapshotRef.MAIN_BRANCH, to).commit();
    } else {
      table.manageSnapshots().replaceBranch(SnapshotRef.MAIN_BRANCH, to).commit();
    }
    Integer schemaId = table.snapshot(to).schemaId();
    org.apache.iceberg.TableOperations operations =
        ((org.apache.iceberg.HasTableOperations) table).operations();
    org.apache.iceberg.TableMetadata base = operations.refresh();
    if (schemaId != null && base.currentSchemaId() != schemaId) {
      operations.commit(
          base,
          org.apache.iceberg.TableMetadata.buildFrom(base).setCurrentSchema(schemaId).build());
    }
    return true;
  }

  /**
   * Empties a table's main when it is at {@code expected} (a rollback of the promotion that gave a
   * new table its first data): main loses its head, the snapshots stay in the table's history.
   *
   * @return whether main changed
   * @throws dev.sluice.api.InvalidInputException when main is at another snapshot
   */
  public boolean clearMain(TableName name, long expected) {
    Table table = lake.loadTable(name);
    SnapshotRef main = table.refs().get(SnapshotRef.MAIN_BRANCH);
    if (main == null) {
      return false;
    }
    if (main.snapshotId() != expected) {
      throw new dev.sluice.api.InvalidInputException(
          "Production's "
              + name
              + " is at snapshot "
              + main.snapshotId()
              + ", not "
              + expected
              + " as expected: it changed meanwhile");
    }
    org.apache.iceberg.TableOperations operations =
        ((org.apache.iceberg.HasTableOperations) table).operations();
    org.apache.iceberg.TableMetadata base = operations.refresh();
    operations.commit(
        base,
        org.apache.iceberg.TableMetadata.buildFrom(base)
            .removeRef(SnapshotRef.MAIN_BRANCH)
            .build());
    return true;
  }

  private static Set<Long> history(Table table, long head) {
    Set<Long> ids = new HashSet<>();
    for (Long id : SnapshotUtil.ancestorIds(table.snapshot(head), table::snapshot)) {
      ids.add(id);
    }
    return ids;
  }
}
