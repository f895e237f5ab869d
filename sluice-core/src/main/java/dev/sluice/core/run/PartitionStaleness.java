package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.state.PartitionState;
import dev.sluice.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.InclusiveMetricsEvaluator;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Tells which materialized partitions of a model are stale: an input table changed, in the
 * partition's window, since the partition was built.
 *
 * <p>Each partition records the snapshot of every table its build read. When an input's current
 * snapshot differs, the input's files that may hold rows of the window (by their column bounds on
 * the model's partition columns, where the input has those columns; else all of them) are compared
 * at both snapshots by their row counts and column statistics: new, removed or rewritten rows in
 * the window change them; a full reload of the same rows, or rows added outside the window, do not.
 * Only metadata is read (one scan plan per input snapshot), never the data.
 */
final class PartitionStaleness {
  private final Lake lake;
  // per table: its current snapshot id (null when the table has none or is gone)
  private final Map<String, Optional<Long>> current = new HashMap<>();
  // per table and snapshot: the files of that snapshot with their statistics
  private final Map<String, List<ContentFile<?>>> files = new HashMap<>();

  PartitionStaleness(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /**
   * Why each stale partition among {@code keys} is stale, by partition key; partitions that are
   * missing, failed, up to date, or whose inputs were not recorded are left out.
   */
  Map<String, String> stale(
      ModelDef model, Map<String, PartitionState> states, Collection<PartitionKey> keys) {
    Map<String, String> stale = new LinkedHashMap<>();
    for (PartitionKey key : keys) {
      PartitionState state = states.get(key.toString());
      if (state == null
          || !state.materialized()
          || state.status() == dev.sluice.core.state.PartitionStatus.FAILED
          || state.inputs().isEmpty()) {
        continue;
      }
      PartitionRange range = PartitionRange.of(model.partitions(), key);
      for (Map.Entry<String, Long> input : new TreeMap<>(state.inputs()).entrySet()) {
        Optional<String> why = changed(model, range, input.getKey(), input.getValue());
        if (why.isPresent()) {
          stale.put(key.toString(), why.get());
          break;
        }
      }
    }
    return stale;
  }

  private Optional<String> changed(
      ModelDef model, PartitionRange range, String tableName, long builtFrom) {
    Optional<Long> now = current.computeIfAbsent(tableName, this::currentSnapshot);
    if (now.isEmpty() || now.get() == builtFrom) {
      return Optional.empty();
    }
    Table table = lake.loadTable(TableName.parse(tableName));
    Expression window = window(model, range, table.schema());
    List<String> before;
    try {
      before = signatures(table, builtFrom, window);
    } catch (RuntimeException e) {
      // the snapshot it was built from is gone (expired): nothing to compare with
      return Optional.of(
          "input " + tableName + " changed (the snapshot it was built from is expired)");
    }
    List<String> after = signatures(table, now.get(), window);
    return before.equals(after)
        ? Optional.empty()
        : Optional.of("input " + tableName + " changed in its window since it was built");
  }

  private Optional<Long> currentSnapshot(String tableName) {
    return lake.findTable(TableName.parse(tableName))
        .map(Table::currentSnapshot)
        .map(Snapshot::snapshotId);
  }

  /** The window of the partition on the input, or everything when the input lacks its columns. */
  private static Expression window(ModelDef model, PartitionRange range, Schema schema) {
    try {
      return PartitionFilter.icebergFilter(model.name(), range, schema);
    } catch (SluiceException e) {
      return Expressions.alwaysTrue();
    }
  }

  /** What identifies the files of a snapshot that may hold rows of the window, sorted. */
  private List<String> signatures(Table table, long snapshotId, Expression window) {
    List<ContentFile<?>> all =
        files.computeIfAbsent(table.name() + "@" + snapshotId, key -> plan(table, snapshotId));
    InclusiveMetricsEvaluator mayMatch =
        new InclusiveMetricsEvaluator(table.schema(), window, false);
    List<String> signatures = new ArrayList<>();
    for (ContentFile<?> file : all) {
      boolean matches;
      try {
        matches =
            window.op() == Expression.Operation.TRUE
                || !(file instanceof org.apache.iceberg.DataFile data)
                || mayMatch.eval(data);
      } catch (RuntimeException e) {
        matches = true;
      }
      if (matches) {
        signatures.add(signature(file));
      }
    }
    signatures.sort(null);
    return signatures;
  }

  private static List<ContentFile<?>> plan(Table table, long snapshotId) {
    List<ContentFile<?>> planned = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshotId).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        planned.add(task.file());
        for (DeleteFile delete : task.deletes()) {
          planned.add(delete);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return planned;
  }

  /** A file's content as its statistics describe it: rows, and bounds and counts per column. */
  private static String signature(ContentFile<?> file) {
    return file.content()
        + " "
        + file.recordCount()
        + " "
        + hex(file.lowerBounds())
        + " "
        + hex(file.upperBounds())
        + " "
        + (file.nullValueCounts() == null ? "" : new TreeMap<>(file.nullValueCounts()))
        + " "
        + (file.valueCounts() == null ? "" : new TreeMap<>(file.valueCounts()));
  }

  private static String hex(Map<Integer, ByteBuffer> bounds) {
    if (bounds == null) {
      return "";
    }
    Map<Integer, String> text = new TreeMap<>();
    bounds.forEach(
        (field, value) -> {
          ByteBuffer copy = value.duplicate();
          byte[] bytes = new byte[copy.remaining()];
          copy.get(bytes);
          text.put(field, HexFormat.of().formatHex(bytes));
        });
    return text.toString();
  }
}
