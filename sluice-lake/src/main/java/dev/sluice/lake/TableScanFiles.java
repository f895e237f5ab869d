package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import java.util.List;
import org.apache.iceberg.Schema;

/**
 * What Iceberg scan planning selected for a read: the schema to read with and the data files.
 *
 * @param snapshotId the snapshot read, or null for a table without data yet
 * @param columnMapping how the files' columns match the schema's: {@link ColumnMapping#NAME} when
 *     the table's columns never changed, so that every file carries the schema's names
 * @param dataBytes the size of the data files, what reading them all scans
 */
public record TableScanFiles(
    TableName name,
    Schema schema,
    List<String> dataFiles,
    Long snapshotId,
    long recordCount,
    ColumnMapping columnMapping,
    long dataBytes) {
  public TableScanFiles {
    dataFiles = List.copyOf(dataFiles);
    requireNonNull(columnMapping, "columnMapping is null");
  }

  /** A read whose files' sizes are not known. */
  public TableScanFiles(
      TableName name,
      Schema schema,
      List<String> dataFiles,
      Long snapshotId,
      long recordCount,
      ColumnMapping columnMapping) {
    this(name, schema, dataFiles, snapshotId, recordCount, columnMapping, 0);
  }

  /** A read whose files are matched to the schema by field id. */
  public TableScanFiles(
      TableName name, Schema schema, List<String> dataFiles, Long snapshotId, long recordCount) {
    this(name, schema, dataFiles, snapshotId, recordCount, ColumnMapping.FIELD_ID);
  }
}
