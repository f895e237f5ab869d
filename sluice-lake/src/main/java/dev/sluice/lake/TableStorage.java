package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;

/**
 * What a table holds in storage, read from its Iceberg metadata (no listing of the storage): the
 * data its current snapshot reads, the data only older snapshots still reference (freed when they
 * expire), and the metadata (metadata files, manifest lists, manifests).
 *
 * @param liveBytes bytes of the data files the current snapshot of {@code main} reads
 * @param liveFiles how many data files the current snapshot reads
 * @param oldSnapshotBytes bytes of data files that only older snapshots, branches or tags reference
 * @param oldSnapshotFiles how many such files
 * @param metadataBytes bytes of the table's metadata files, manifest lists and manifests
 * @param snapshots how many snapshots the table keeps
 */
public record TableStorage(
    TableName table,
    long liveBytes,
    long liveFiles,
    long oldSnapshotBytes,
    long oldSnapshotFiles,
    long metadataBytes,
    int snapshots) {
  public TableStorage {
    requireNonNull(table, "table is null");
  }

  /** All the bytes the table holds. */
  public long totalBytes() {
    return liveBytes + oldSnapshotBytes + metadataBytes;
  }

  /**
   * Measures a table: every manifest of every snapshot is read once (manifests shared by snapshots
   * are read once), and the size of each metadata file is asked of the storage.
   *
   * @throws UncheckedIOException when a manifest cannot be read
   */
  static TableStorage measure(TableName name, Table table) {
    FileIO io = table.io();
    Map<String, Long> live = new HashMap<>();
    Snapshot current = table.currentSnapshot();
    if (current != null) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          live.put(task.file().location(), task.file().fileSizeInBytes());
          task.deletes().forEach(delete -> live.put(delete.location(), delete.fileSizeInBytes()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot plan a scan of " + name, e);
      }
    }
    Map<String, Long> old = new HashMap<>();
    Set<String> manifests = new HashSet<>();
    long metadata = 0;
    int snapshots = 0;
    for (Snapshot snapshot : table.snapshots()) {
      snapshots++;
      if (snapshot.manifestListLocation() != null) {
        metadata += length(io, snapshot.manifestListLocation());
      }
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        if (!manifests.add(manifest.path())) {
          continue;
        }
        metadata += manifest.length();
        if (manifest.content() != org.apache.iceberg.ManifestContent.DATA) {
          continue;
        }
        try (CloseableIterable<DataFile> files = ManifestFiles.read(manifest, io, table.specs())) {
          for (DataFile file : files) {
            if (!live.containsKey(file.location())) {
              old.put(file.location(), file.fileSizeInBytes());
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read manifest " + manifest.path(), e);
        }
      }
    }
    if (table instanceof HasTableOperations operations) {
      TableMetadata metadataNow = operations.operations().current();
      if (metadataNow.metadataFileLocation() != null) {
        metadata += length(io, metadataNow.metadataFileLocation());
      }
      for (TableMetadata.MetadataLogEntry entry : metadataNow.previousFiles()) {
        metadata += length(io, entry.file());
      }
    }
    return new TableStorage(
        name,
        live.values().stream().mapToLong(Long::longValue).sum(),
        live.size(),
        old.values().stream().mapToLong(Long::longValue).sum(),
        old.size(),
        metadata,
        snapshots);
  }

  /** A file's length, or 0 when it is gone (an old metadata file already removed). */
  private static long length(FileIO io, String location) {
    try {
      return io.newInputFile(location).getLength();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
