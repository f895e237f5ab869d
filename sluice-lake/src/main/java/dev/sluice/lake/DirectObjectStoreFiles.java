package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.objectstore.S3Location;
import java.nio.file.Path;
import org.apache.iceberg.Schema;

/**
 * Data files of a warehouse in S3-compatible storage as an engine that reads and writes object
 * storage itself sees them (a Spark cluster, whose hosts cannot read Sluice's local cache): at
 * their own locations, in the {@code s3a://} scheme that Hadoop's S3A file system reads. Nothing is
 * downloaded or uploaded by Sluice; the engine writes each data file under the table's data
 * location, in a directory of its own, and the commit names it where it was written.
 */
final class DirectObjectStoreFiles implements WarehouseFiles {
  /** The scheme of Hadoop's S3A file system, which Spark reads S3 with. */
  static final String S3A = "s3a://";

  private final ObjectStoreWarehouseFiles cached;

  DirectObjectStoreFiles(ObjectStoreWarehouseFiles cached) {
    this.cached = requireNonNull(cached, "cached is null");
  }

  @Override
  public Path newDataFile(String location) {
    throw new IllegalStateException(
        "The engine writes the warehouse's object storage itself: it has no local data file for "
            + location);
  }

  /**
   * Spark writes a directory: {@code .../data/<uuid>/part-00000-....parquet}, compressed as the
   * table's properties say (as Iceberg's own Spark writer does), not with Spark's codec setting.
   */
  @Override
  public WrittenFile write(
      EngineSession session,
      String sql,
      Schema schema,
      String location,
      ParquetCompression compression) {
    String directory =
        location.endsWith(".parquet") ? location.substring(0, location.length() - 8) : location;
    return session.writeParquet(sql, schema, engineLocation(directory), compression);
  }

  @Override
  public String store(Path written) {
    throw new IllegalStateException(
        "The engine writes the warehouse's object storage itself; it wrote no local file "
            + written);
  }

  @Override
  public String storeWritten(String engineLocation) {
    return S3Location.parse(engineLocation).toString();
  }

  @Override
  public String readablePath(String location) {
    return engineLocation(location);
  }

  /** {@code s3a://bucket/key} for {@code s3://bucket/key}. */
  static String engineLocation(String location) {
    S3Location object = S3Location.parse(location);
    return S3A + object.bucket() + "/" + object.key();
  }

  @Override
  public RuntimeException explain(RuntimeException failure) {
    return cached.explain(failure);
  }

  /** The cache's files are closed with the warehouse. */
  @Override
  public void close() {}
}
