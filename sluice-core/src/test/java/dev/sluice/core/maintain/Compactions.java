package dev.sluice.core.maintain;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Compaction and layout rewrites with a target file size a project cannot declare (a few kilobytes,
 * below {@code target_file_size}'s 1 MiB), so that a test writes several files from a few rows, on
 * whichever engine the project runs (the engines' tests use it too).
 */
public final class Compactions {
  private Compactions() {}

  /**
   * Rewrites {@code table} on the project's engine: {@code kind} {@code compact} (bin-pack, in
   * {@code order} when given), {@code sort} ({@code sort_by: order}) or {@code cluster} ({@code
   * cluster_by: order}), into files of {@code targetFileSize} bytes, from at least two small files.
   */
  public static CompactionOutcome rewrite(
      Workspace workspace, TableName table, String kind, long targetFileSize, List<String> order) {
    Compaction.Kind rewrite = Compaction.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
    Compaction.Settings settings =
        new Compaction.Settings(
            targetFileSize,
            2,
            rewrite == Compaction.Kind.CLUSTER ? List.of() : order,
            rewrite == Compaction.Kind.CLUSTER ? order : List.of());
    try (EngineSession session = workspace.engine().openSession()) {
      return new Compaction(workspace.lake().readBy(session), session)
          .compact(table, rewrite, settings, false);
    }
  }

  /** The current data files of {@code table} with their column bounds, in no particular order. */
  public static List<DataFile> dataFiles(Workspace workspace, TableName table) {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        workspace.lake().loadTable(table).newScan().includeColumnStats().planFiles()) {
      tasks.forEach(task -> files.add(task.file()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The bytes of the current data files of {@code table}. */
  public static long dataBytes(Workspace workspace, TableName table) {
    return dataFiles(workspace, table).stream().mapToLong(DataFile::fileSizeInBytes).sum();
  }
}
