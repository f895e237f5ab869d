package dev.sluice.lake;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.WrittenFile;
import java.nio.file.Path;
import org.apache.iceberg.Schema;

/**
 * Where the warehouse's data files live, as the engine sees them. DuckDB reads and writes local
 * files only (its S3 extension is not part of the JDBC build), so for a warehouse in object storage
 * data files are written locally and uploaded, and read from a local copy; an engine that reads
 * object storage itself (a Spark cluster) is handed the files' locations instead, see {@link
 * #forEngineReadingObjectStore()}.
 */
interface WarehouseFiles extends AutoCloseable {
  /** The local file the engine writes the data file for {@code location} to. */
  Path newDataFile(String location);

  /**
   * Writes the rows of {@code sql} with the session's engine as the data file for {@code location},
   * a new location in a table's data, compressed as the table's properties say.
   */
  default WrittenFile write(
      EngineSession session,
      String sql,
      Schema schema,
      String location,
      ParquetCompression compression) {
    return session.writeParquet(sql, schema, newDataFile(location), compression);
  }

  /**
   * Makes a written file the data file it was created for, and returns its location for the commit;
   * for object storage, it uploads the file.
   */
  String store(Path written);

  /**
   * The location for the commit of a file an engine wrote into object storage itself.
   *
   * @throws IllegalStateException when the warehouse's engines write local files
   */
  default String storeWritten(String engineLocation) {
    throw new IllegalStateException(
        "A data file written into object storage (" + engineLocation + ") in a local warehouse");
  }

  /** A path or location the engine can read the data file at {@code location} from. */
  String readablePath(String location);

  /**
   * These files as an engine that reads and writes object storage itself sees them: for a warehouse
   * in object storage, at their own locations (no local copies); else these.
   */
  default WarehouseFiles forEngineReadingObjectStore() {
    return this;
  }

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
