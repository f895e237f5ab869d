package dev.sluice.engine.spark;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.LakeCatalog;
import dev.sluice.api.engine.WarehouseStorage;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkBuildInfo;
import org.apache.spark.sql.connect.SparkSession;
import org.apache.spark.sql.connect.client.RetriesExceeded;
import org.apache.spark.sql.connect.client.RetryPolicy;
import org.apache.spark.sql.connect.client.SparkConnectClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Sluice's engine on a Spark cluster, reached through Spark Connect: every {@link EngineSession} is
 * a Spark Connect session of its own (its temporary views, its settings), on one server.
 *
 * <p>Spark reads the data files the lake plans and writes Parquet files that the lake commits, as
 * the DuckDB engine does. For a warehouse in object storage it reads and writes the files at their
 * {@code s3a://} locations itself, with the S3A settings each session is given ({@link
 * S3aSettings}); for a local warehouse, the server must reach the same directory (one machine). See
 * docs/adr/0018-spark-connect-client.md and docs/scale-out.md.
 */
final class SparkEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);

  /**
   * Settings of every session: ANSI SQL with double-quoted identifiers (Sluice quotes names as
   * {@code "zone"."name"}), Parquet columns read and written by Iceberg field id, timestamps as
   * microseconds, UTC, {@code java.time} values, and Parquet read row by row.
   */
  static final Map<String, String> SESSION_CONF =
      Map.of(
          "spark.sql.ansi.enabled", "true",
          "spark.sql.ansi.doubleQuotedIdentifiers", "true",
          "spark.sql.parquet.fieldId.read.enabled", "true",
          "spark.sql.parquet.fieldId.write.enabled", "true",
          "spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS",
          "spark.sql.session.timeZone", "UTC",
          // a backslash escapes in a string literal (SparkSql.literal escapes it)
          "spark.sql.parser.escapedStringLiterals", "false",
          "spark.sql.datetime.java8API.enabled", "true",
          // Spark 4.0's vectorized Parquet reader pairs columns by name even when the schema
          // matches them by field id: columns renamed to each other's names read the wrong data
          // (EngineContractTest.writtenFilesCarryTheSchemasFieldIds). The row reader pairs by id.
          "spark.sql.parquet.enableVectorizedReader", "false");

  /**
   * The client's own retries of a call the server did not answer: a few within about two seconds.
   * Its default waits minutes; longer outages are the runner's to retry, as transient failures of a
   * step, with the backoff sluice.yaml sets.
   */
  private static final RetryPolicy RETRIES =
      RetryPolicy.apply(
          Option.apply(3),
          FiniteDuration.apply(200, TimeUnit.MILLISECONDS),
          Option.apply(FiniteDuration.apply(1, TimeUnit.SECONDS)),
          2.0,
          RetryPolicy.apply$default$5(),
          RetryPolicy.apply$default$6(),
          RetryPolicy.defaultPolicy().canRetry(),
          "sluice");

  private final SparkRemote remote;
  private final SparkSession root;
  private final Optional<WarehouseStorage> warehouse;
  private final Optional<String> s3Endpoint;
  private final Optional<LakeCatalog> catalog;

  private SparkEngine(
      SparkRemote remote,
      SparkSession root,
      Optional<WarehouseStorage> warehouse,
      Optional<String> s3Endpoint,
      Optional<LakeCatalog> catalog) {
    this.s3Endpoint = requireNonNull(s3Endpoint, "s3Endpoint is null");
    this.root = requireNonNull(root, "root is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.catalog =
        requireNonNull(catalog, "catalog is null")
            .map(lake -> LakeCatalogSettings.forWarehouse(lake, warehouse.isPresent()));
    // the warehouse's secret key and the catalog's password are masked in the server's messages,
    // as the token is
    SparkRemote masked =
        warehouse
            .map(WarehouseStorage::secretAccessKey)
            .map(requireNonNull(remote, "remote is null")::masking)
            .orElse(remote);
    this.remote =
        catalog
            .map(LakeCatalog::properties)
            .map(properties -> properties.get(LakeCatalogSettings.PASSWORD))
            .map(masked::masking)
            .orElse(masked);
  }

  /**
   * Connects to the server and checks that it runs the client's Spark version (major and minor).
   *
   * @throws TransientException when the server does not answer, naming its address (never the
   *     token)
   * @param warehouse the warehouse's object storage, which Spark then reads and writes itself
   *     (sessions set its S3A settings), or empty for a local warehouse
   * @param s3Endpoint the storage's endpoint as the cluster reaches it, if not the warehouse's
   * @param catalog the lake's Iceberg catalog, which sessions then reach themselves for {@code
   *     MERGE INTO}, or empty
   * @throws InvalidInputException when the server runs another Spark version
   */
  static SparkEngine connect(
      SparkRemote remote,
      Optional<WarehouseStorage> warehouse,
      Optional<String> s3Endpoint,
      Optional<LakeCatalog> catalog) {
    return connect(remote, warehouse, s3Endpoint, catalog, SparkBuildInfo.spark_version());
  }

  /** {@link #connect} as a client of Spark {@code clientVersion}. */
  static SparkEngine connect(
      SparkRemote remote,
      Optional<WarehouseStorage> warehouse,
      Optional<String> s3Endpoint,
      Optional<LakeCatalog> catalog,
      String clientVersion) {
    SparkSession root;
    String serverVersion;
    try {
      SparkConnectClient client =
          SparkConnectClient.builder()
              .connectionString(remote.connectionString())
              .retryPolicy(RETRIES)
              .build();
      root = SparkSession.builder().client(client).create();
      serverVersion = root.version();
    } catch (Throwable e) { // Scala code throws checked exceptions, and RetriesExceeded, undeclared
      if (e instanceof Error error && !(e instanceof RetriesExceeded)) {
        throw error;
      }
      if (SparkErrors.unreachable(e)) {
        throw new TransientException(
            "The Spark Connect server at "
                + remote
                + " did not answer: start it, or check spark.remote in sluice.yaml",
            e);
      }
      throw new TransientException(
          "Cannot connect to the Spark Connect server at "
              + remote
              + ": "
              + remote.secrets().redact(e.getMessage()),
          e);
    }
    if (!sameMinorVersion(clientVersion, serverVersion)) {
      root.close();
      throw new InvalidInputException(
          "The Spark Connect server at "
              + remote
              + " runs Spark "
              + serverVersion
              + ", but Sluice's Spark Connect client is "
              + clientVersion
              + ": run a Spark "
              + minorVersion(clientVersion)
              + ".x server");
    }
    LOG.info("Connected to Spark {} at {}", serverVersion, remote);
    return new SparkEngine(remote, root, warehouse, s3Endpoint, catalog);
  }

  static boolean sameMinorVersion(String client, String server) {
    return minorVersion(client).equals(minorVersion(server));
  }

  private static String minorVersion(String version) {
    String[] parts = version.split("\\.", 3);
    return parts.length < 2 ? version : parts[0] + "." + parts[1];
  }

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public EngineSession openSession() {
    SparkSession session;
    try {
      session = root.newSession();
      SESSION_CONF.forEach((key, value) -> session.conf().set(key, value));
      warehouse.ifPresent(
          storage ->
              S3aSettings.of(storage, s3Endpoint)
                  .forEach((key, value) -> session.conf().set(key, value)));
    } catch (Throwable e) { // Scala code throws checked exceptions, and RetriesExceeded, undeclared
      throw SparkErrors.translate(e, remote, false);
    }
    return new SparkSqlSession(session, remote, warehouse.isPresent(), catalog);
  }

  @Override
  public void close() {
    try {
      root.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the Spark Connect session to {} failed", remote, e);
    }
  }
}
