package dev.sluice.lake;

import java.util.List;
import org.apache.iceberg.DataFile;

/**
 * The data files a merge rewrites (Iceberg's copy-on-write): they are removed in the commit that
 * adds the files holding their kept rows and the merged rows, so the cost of a merge follows the
 * files it touches, not the table. The commit fails when another writer added or removed data since
 * the snapshot the files were read at.
 *
 * @param readSnapshotId the snapshot of main the merge read, or null for a table without data
 * @param removed the files of that snapshot to remove
 */
public record FileRewrite(Long readSnapshotId, List<DataFile> removed) {
  public FileRewrite {
    removed = List.copyOf(removed);
  }
}
