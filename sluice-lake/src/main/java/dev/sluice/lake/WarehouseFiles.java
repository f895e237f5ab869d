package dev.sluice.lake;

import java.nio.file.Path;

/**
 * Where the warehouse's data files live, as the engine sees them. DuckDB reads and writes local
 * files only (its S3 extension is not part of the JDBC build), so for a warehouse in object storage
 * data files are written locally and uploaded, and read from a local copy.
 */
interface WarehouseFiles extends AutoCloseable {
  /** The local file the engine writes the data file for {@code location} to. */
  Path newDataFile(String location);

  /**
   * Makes a written file the data file it was created for, and returns its location for the commit;
   * for object storage, it uploads the file.
   */
  String store(Path written);

  /** A local path the engine can read the data file at {@code location} from. */
  String readablePath(String location);

  /**
   * A failure of an operation on the warehouse, explained when the warehouse's storage caused it
   * (naming endpoint and bucket); else the failure itself.
   */
  default RuntimeException explain(RuntimeException failure) {
    return failure;
  }

  @Override
  void close();
}
