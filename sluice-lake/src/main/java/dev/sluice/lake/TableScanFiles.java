package dev.sluice.lake;

import dev.sluice.api.TableName;
import java.util.List;
import org.apache.iceberg.Schema;

/**
 * What Iceberg scan planning selected for a read: the schema to read with and the data files.
 *
 * @param snapshotId the snapshot read, or null for a table without data yet
 */
public record TableScanFiles(
    TableName name, Schema schema, List<String> dataFiles, Long snapshotId, long recordCount) {
  public TableScanFiles {
    dataFiles = List.copyOf(dataFiles);
  }
}
