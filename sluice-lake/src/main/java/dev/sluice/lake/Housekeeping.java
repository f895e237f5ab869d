package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.RewriteManifests;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Table maintenance that changes no row, with Iceberg's own operations: rewriting manifests ({@code
 * RewriteManifests}), expiring snapshots by age with a minimum kept ({@code ExpireSnapshots}), and
 * finding and removing orphan files (files under the table's location that no snapshot, branch or
 * tag references). Compaction is a {@link WriteOperation.Compact} commit.
 */
public final class Housekeeping {
  private final Lake lake;

  public Housekeeping(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /**
   * What {@link #rewriteManifests} did.
   *
   * @param before data manifests of the current snapshot before
   * @param after data manifests after (the same when nothing was rewritten)
   * @param snapshotId the rewrite's snapshot, or null when there was nothing to rewrite
   */
  public record RewrittenManifests(int before, int after, Long snapshotId) {}

  /** How many data manifests the table's current snapshot has. */
  public int manifestCount(TableName name) {
    Table table = lake.loadTable(name);
    Snapshot current = table.currentSnapshot();
    return current == null ? 0 : current.dataManifests(table.io()).size();
  }

  /**
   * Rewrites the data manifests of the current snapshot into as few as Iceberg's target manifest
   * size allows ({@code commit.manifest.target-size-bytes}), grouped by partition spec, so that
   * scan planning opens fewer files; the commit carries the load state. Nothing when the table has
   * at most one data manifest.
   */
  public RewrittenManifests rewriteManifests(TableName name) {
    Table table = lake.loadTable(name);
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return new RewrittenManifests(0, 0, null);
    }
    int before = current.dataManifests(table.io()).size();
    if (before <= 1) {
      return new RewrittenManifests(before, before, null);
    }
    RewriteManifests rewrite =
        table
            .rewriteManifests()
            .clusterBy(file -> file.specId())
            .rewriteIf(manifest -> manifest.content() == ManifestContent.DATA);
    CarriedState.carry(table).forEach(rewrite::set);
    rewrite.commit();
    table.refresh();
    Snapshot after = table.currentSnapshot();
    lake.committed(
        new TableCommit(
            name,
            after.snapshotId(),
            "rewrite_manifests",
            SnapshotRef.MAIN_BRANCH,
            after.summary()));
    return new RewrittenManifests(
        before, after.dataManifests(table.io()).size(), after.snapshotId());
  }

  /**
   * The snapshots an expiry would remove: older than {@code olderThan}, not among the newest {@code
   * minSnapshots} of main's history, and not the head of a branch or tag.
   */
  public List<Snapshot> expirable(TableName name, Instant olderThan, int minSnapshots) {
    requireNonNull(olderThan, "olderThan is null");
    if (minSnapshots < 1) {
      throw new IllegalArgumentException("minSnapshots must be at least 1: " + minSnapshots);
    }
    Table table = lake.loadTable(name);
    Set<Long> kept = new HashSet<>();
    table.refs().values().forEach(ref -> kept.add(ref.snapshotId()));
    if (table.currentSnapshot() != null) {
      int count = 0;
      for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
        if (count++ >= minSnapshots) {
          break;
        }
        kept.add(snapshot.snapshotId());
      }
    }
    List<Snapshot> expirable = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.timestampMillis() < olderThan.toEpochMilli()
          && !kept.contains(snapshot.snapshotId())) {
        expirable.add(snapshot);
      }
    }
    return expirable;
  }

  /**
   * Expires {@link #expirable} snapshots (Iceberg's {@code ExpireSnapshots}, naming them, so that
   * the files only they referenced are found by reachability and deleted).
   */
  public ExpiredSnapshots expireSnapshots(TableName name, Instant olderThan, int minSnapshots) {
    List<Snapshot> expirable = expirable(name, olderThan, minSnapshots);
    if (expirable.isEmpty()) {
      return new ExpiredSnapshots(0, List.of());
    }
    Table table = lake.loadTable(name);
    FileIO io = table.io();
    List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    org.apache.iceberg.ExpireSnapshots expire =
        table
            .expireSnapshots()
            .deleteWith(
                path -> {
                  io.deleteFile(path);
                  deleted.add(path);
                });
    expirable.forEach(snapshot -> expire.expireSnapshotId(snapshot.snapshotId()));
    expire.commit();
    return new ExpiredSnapshots(expirable.size(), deleted);
  }

  /**
   * A file under a table's location that no snapshot, branch or tag of the table references.
   *
   * @param modified when it was last written
   */
  public record OrphanFile(String location, long sizeInBytes, Instant modified) {}

  /**
   * The table's orphan data files and manifests last written before {@code olderThan} (younger ones
   * may belong to a write in progress). Metadata JSON files are never counted: the catalog's repair
   * reads older versions of them.
   */
  public List<OrphanFile> orphanFiles(TableName name, Instant olderThan) {
    requireNonNull(olderThan, "olderThan is null");
    Table table = lake.loadTable(name);
    Set<String> referenced = referencedFiles(table);
    List<OrphanFile> orphans = new ArrayList<>();
    for (FileInfo file : listFiles(table)) {
      String location = file.location();
      boolean candidate =
          location.endsWith(".parquet")
              || (location.contains("/metadata/") && location.endsWith(".avro"));
      if (candidate
          && !referenced.contains(normalize(location))
          && file.createdAtMillis() < olderThan.toEpochMilli()) {
        orphans.add(
            new OrphanFile(location, file.size(), Instant.ofEpochMilli(file.createdAtMillis())));
      }
    }
    orphans.sort(java.util.Comparator.comparing(OrphanFile::location));
    return orphans;
  }

  /**
   * Deletes the table's {@link #orphanFiles}, checking again just before that no snapshot
   * references any of them.
   *
   * @return the files deleted
   */
  public List<OrphanFile> deleteOrphanFiles(TableName name, Instant olderThan) {
    List<OrphanFile> orphans = orphanFiles(name, olderThan);
    if (orphans.isEmpty()) {
      return orphans;
    }
    Table table = lake.loadTable(name);
    // a commit between the listing and now may have made a file referenced (it would have been
    // younger than the safety window, but check against the table as it is now)
    Set<String> referenced = referencedFiles(table);
    List<OrphanFile> deleted = new ArrayList<>();
    for (OrphanFile orphan : orphans) {
      if (!referenced.contains(normalize(orphan.location()))) {
        table.io().deleteFile(orphan.location());
        deleted.add(orphan);
      }
    }
    return deleted;
  }

  /** Every data file, manifest, manifest list and statistics file any snapshot references. */
  private static Set<String> referencedFiles(Table table) {
    Set<String> referenced = new HashSet<>();
    FileIO io = table.io();
    ReachableFileUtil.manifestListLocations(table).forEach(path -> referenced.add(normalize(path)));
    ReachableFileUtil.statisticsFilesLocations(table)
        .forEach(path -> referenced.add(normalize(path)));
    Set<String> manifests = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        if (manifests.add(manifest.path())) {
          referenced.add(normalize(manifest.path()));
          try (CloseableIterable<String> paths =
              ManifestFiles.readPaths(manifest, io, table.specs())) {
            paths.forEach(path -> referenced.add(normalize(path)));
          } catch (IOException e) {
            throw new UncheckedIOException("Cannot read manifest " + manifest.path(), e);
          }
        }
      }
    }
    return referenced;
  }

  /** The files under the table's location, through the storage's listing. */
  private static Iterable<FileInfo> listFiles(Table table) {
    FileIO io = table.io();
    if (io instanceof MetadataCheckingFileIO checking) {
      io = checking.delegate();
    }
    if (io instanceof SupportsPrefixOperations prefixes) {
      return prefixes.listPrefix(table.location());
    }
    Path root = Path.of(normalize(table.location()));
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isRegularFile()) {
          files.add(
              new FileInfo(
                  path.toString(), attributes.size(), attributes.lastModifiedTime().toMillis()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the files of " + table.name(), e);
    }
    return files;
  }

  /** A location without a {@code file:} scheme, so that listed and referenced paths compare. */
  private static String normalize(String location) {
    if (location.startsWith("file://")) {
      return location.substring("file://".length());
    }
    if (location.startsWith("file:")) {
      return location.substring("file:".length());
    }
    return location;
  }
}
