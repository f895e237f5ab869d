package dev.sluice.lake;

import java.util.List;

/**
 * What {@link Lake#expireSnapshots} removed from a table.
 *
 * @param snapshots how many snapshots were expired (time travel to them is no longer possible)
 * @param deletedFiles the files that only expired snapshots referenced, now deleted: data files,
 *     manifests and manifest lists
 */
public record ExpiredSnapshots(int snapshots, List<String> deletedFiles) {
  public ExpiredSnapshots {
    deletedFiles = List.copyOf(deletedFiles);
  }
}
