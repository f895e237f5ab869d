package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.LakeCatalog;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.api.io.Directories;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.objectstore.ObjectStore;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Binder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcClientPool;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.iceberg.view.View;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * The warehouse: Iceberg tables (format v2) in an Iceberg {@link JdbcCatalog} on SQLite or
 * PostgreSQL. Zones are namespaces.
 */
public final class Lake implements AutoCloseable {
  /** How large the local cache of a warehouse in object storage may grow. */
  public static final long DEFAULT_CACHE_LIMIT_BYTES = 4L << 30;

  private static final org.slf4j.Logger COMMIT_LOG = org.slf4j.LoggerFactory.getLogger(Lake.class);

  /** The catalog's name in the JDBC catalog's tables. */
  static final String CATALOG_NAME = "sluice";

  private final JdbcCatalog catalog;
  private final String location;
  private final WarehouseFiles files;
  private final AutoCloseable storage;
  private final List<CommitListener> commitListeners;

  /** Whether this is another engine's view of a lake, which closes nothing: see {@link #readBy}. */
  private final boolean view;

  /** The catalog as engines may reach it themselves, or null: see {@link #catalogForEngines}. */
  private LakeCatalog engineCatalog;

  /** The JDBC catalog's connections: see {@link #tableMetadataLocations()}. */
  private JdbcClientPool catalogConnections;

  private Lake(JdbcCatalog catalog, String location, WarehouseFiles files, AutoCloseable storage) {
    this(catalog, location, files, storage, new CopyOnWriteArrayList<>(), false);
  }

  private Lake(
      JdbcCatalog catalog,
      String location,
      WarehouseFiles files,
      AutoCloseable storage,
      List<CommitListener> commitListeners,
      boolean view) {
    this.catalog = catalog;
    this.location = location;
    this.files = files;
    this.storage = storage;
    this.commitListeners = commitListeners;
    this.view = view;
  }

  /**
   * This warehouse as {@code session}'s engine reads and writes it. For an engine that reads and
   * writes object storage itself ({@link EngineSession#readsObjectStoreLocations()}) and a
   * warehouse in object storage, a view of this lake whose scans name the data files at their
   * {@code s3a://} locations and whose writes let the engine write into the table's location
   * (nothing goes through the local cache); else this lake. The view shares the catalog and the
   * commit listeners, and closing it closes nothing.
   */
  public Lake readBy(EngineSession session) {
    if (view || !session.readsObjectStoreLocations()) {
      return this;
    }
    WarehouseFiles direct = files.forEngineReadingObjectStore();
    if (direct == files) {
      return this;
    }
    Lake readBy = new Lake(catalog, location, direct, () -> {}, commitListeners, true);
    readBy.catalogConnections = catalogConnections;
    return readBy;
  }

  /**
   * Opens (and on first use creates) a warehouse.
   *
   * @param catalogUrl a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL
   * @param connectionProperties JDBC properties such as user and password (never logged)
   */
  public static Lake open(
      Path warehouse, String catalogUrl, Map<String, String> connectionProperties) {
    requireNonNull(warehouse, "warehouse is null");
    Path absoluteWarehouse = warehouse.toAbsolutePath().normalize();
    checkCatalogNotLost(absoluteWarehouse, catalogUrl);
    AtomicReference<JdbcClientPool> connections = new AtomicReference<>();
    JdbcCatalog catalog =
        openCatalog(
            absoluteWarehouse.toString(),
            catalogUrl,
            connectionProperties,
            properties -> {
              LocalFileIO io = new LocalFileIO();
              io.initialize(properties);
              return new MetadataCheckingFileIO(io, absoluteWarehouse.toString());
            },
            connections);
    Lake lake =
        new Lake(catalog, absoluteWarehouse.toString(), new LocalWarehouseFiles(), () -> {});
    lake.catalogConnections = connections.get();
    lake.engineCatalog =
        engineCatalog(absoluteWarehouse.toString(), catalogUrl, connectionProperties);
    try {
      lake.checkWarehouseLocation();
    } catch (RuntimeException e) {
      lake.close();
      throw e;
    }
    return lake;
  }

  /**
   * Opens (and on first use creates) a warehouse in S3-compatible storage. Iceberg's metadata and
   * the data files are objects under {@code warehouse}; the engine works on local copies in {@code
   * workDirectory} (see {@link ObjectStoreWarehouseFiles}).
   *
   * @param settingsOrigin where the storage settings are written, for messages
   * @throws SluiceException naming the endpoint and bucket when the bucket cannot be used (it does
   *     not exist, the credentials are refused, the endpoint cannot be reached); never a credential
   */
  public static Lake open(
      S3Location warehouse,
      S3Settings settings,
      String settingsOrigin,
      Path workDirectory,
      String catalogUrl,
      Map<String, String> connectionProperties) {
    requireNonNull(warehouse, "warehouse is null");
    requireNonNull(workDirectory, "workDirectory is null");
    ObjectStore store = ObjectStore.open(settings, settingsOrigin);
    try {
      store.checkBucket(warehouse.bucket(), "the warehouse " + warehouse);
      S3FileIO io = new S3FileIO(store::client);
      AtomicReference<JdbcClientPool> connections = new AtomicReference<>();
      JdbcCatalog catalog =
          openCatalog(
              warehouse.withoutTrailingSlash().toString(),
              catalogUrl,
              connectionProperties,
              properties -> {
                io.initialize(properties);
                return new MetadataCheckingFileIO(io, null);
              },
              connections);
      Lake lake =
          new Lake(
              catalog,
              warehouse.withoutTrailingSlash().toString(),
              new ObjectStoreWarehouseFiles(
                  store,
                  warehouse.withoutTrailingSlash(),
                  io,
                  workDirectory,
                  DEFAULT_CACHE_LIMIT_BYTES,
                  Clock.systemUTC()),
              store);
      lake.catalogConnections = connections.get();
      lake.engineCatalog =
          engineCatalog(
              warehouse.withoutTrailingSlash().toString(), catalogUrl, connectionProperties);
      return lake;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The catalog engines may reach themselves: one on PostgreSQL; else null. */
  private static LakeCatalog engineCatalog(
      String warehouseLocation, String catalogUrl, Map<String, String> connectionProperties) {
    if (!catalogUrl.startsWith("jdbc:postgresql:")) {
      return null;
    }
    return new LakeCatalog(
        CATALOG_NAME,
        JdbcCatalog.class.getName(),
        catalogProperties(warehouseLocation, catalogUrl, connectionProperties));
  }

  /** The Iceberg properties of the JDBC catalog on {@code catalogUrl}, as Sluice opens it. */
  private static Map<String, String> catalogProperties(
      String warehouseLocation, String catalogUrl, Map<String, String> connectionProperties) {
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, catalogUrl);
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouseLocation);
    properties.put("jdbc.schema-version", "V1");
    connectionProperties.forEach((key, value) -> properties.put("jdbc." + key, value));
    return properties;
  }

  /**
   * The lake's Iceberg catalog as an engine may reach it to commit to its tables itself (Spark's
   * {@code MERGE INTO}, {@link EngineBranch}): a catalog on PostgreSQL, which processes on other
   * hosts can share, over a local warehouse or one in object storage (whose {@code s3://} files the
   * engine then reads and writes with a FileIO of its own, configured from the warehouse's storage
   * settings it is given). Empty for an SQLite catalog: a file of this host, one writer at a time.
   */
  public Optional<LakeCatalog> catalogForEngines() {
    return Optional.ofNullable(engineCatalog);
  }

  private static JdbcCatalog openCatalog(
      String warehouseLocation,
      String catalogUrl,
      Map<String, String> connectionProperties,
      java.util.function.Function<Map<String, String>, FileIO> fileIo,
      AtomicReference<JdbcClientPool> connections) {
    requireNonNull(catalogUrl, "catalogUrl is null");
    Map<String, String> properties =
        catalogProperties(warehouseLocation, catalogUrl, connectionProperties);
    if (catalogUrl.startsWith("jdbc:sqlite:")) {
      createParentDirectory(catalogUrl.substring("jdbc:sqlite:".length()));
      properties.put("jdbc.busy_timeout", "30000");
      properties.put("jdbc.journal_mode", "WAL");
      properties.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
    }
    JdbcCatalog catalog;
    try {
      catalog =
          Namespaces.concurrentSetup(
              () -> {
                // the catalog's own connections, kept for tableMetadataLocations(); as
                // JdbcCatalog makes them without a builder
                JdbcCatalog attempt =
                    new JdbcCatalog(
                        fileIo,
                        catalogProperties -> {
                          JdbcClientPool pool =
                              new JdbcClientPool(
                                  catalogProperties.get(CatalogProperties.URI), catalogProperties);
                          connections.set(pool);
                          return pool;
                        },
                        true);
                try {
                  attempt.initialize(CATALOG_NAME, properties);
                  for (Zone zone : Zone.values()) {
                    Namespaces.createIfMissing(attempt, Namespace.of(zone.namespace()));
                  }
                  return attempt;
                } catch (RuntimeException e) {
                  closeQuietly(attempt, e);
                  throw e;
                }
              });
    } catch (RuntimeException e) {
      List<String> secrets = new ArrayList<>(Secrets.inUrl(catalogUrl));
      connectionProperties.forEach(
          (key, value) -> {
            if (Secrets.isSecretName(key)) {
              secrets.add(value);
            }
          });
      throw new SluiceException(
          Secrets.of(secrets)
              .redact(
                  "Cannot open the Iceberg catalog at "
                      + catalogUrl
                      + ": "
                      + rootMessage(e)
                      + ". Check catalog.url in sluice.yaml and that the database is reachable."),
          e);
    }
    return catalog;
  }

  private static void closeQuietly(JdbcCatalog catalog, RuntimeException failure) {
    try {
      catalog.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Refuses to start a new SQLite catalog beside a warehouse that already holds tables: a catalog
   * file that is missing or empty (0 bytes) there was lost, and a new one would orphan every table
   * of the warehouse.
   */
  private static void checkCatalogNotLost(Path warehouse, String catalogUrl) {
    if (catalogUrl == null || !catalogUrl.startsWith("jdbc:sqlite:")) {
      return;
    }
    String file = catalogUrl.substring("jdbc:sqlite:".length());
    file = file.contains("?") ? file.substring(0, file.indexOf('?')) : file;
    if (file.isEmpty() || file.startsWith(":") || file.startsWith("file:")) {
      return;
    }
    Path catalogFile = Path.of(file).toAbsolutePath();
    try {
      boolean lost = !Files.exists(catalogFile) || Files.size(catalogFile) == 0;
      if (!lost || !holdsTables(warehouse)) {
        return;
      }
      throw new SluiceException(
          "The Iceberg catalog "
              + catalogFile
              + (Files.exists(catalogFile) ? " is empty (0 bytes)" : " is missing")
              + ", but the warehouse "
              + warehouse
              + " holds tables: starting a new catalog would orphan them. Restore the catalog"
              + " file from a backup; or, to start afresh, delete the warehouse directory and "
              + catalogFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + catalogFile, e);
    }
  }

  /** Whether a local warehouse holds a table or view: a metadata file in a zone's table. */
  private static boolean holdsTables(Path warehouse) throws IOException {
    if (!Files.isDirectory(warehouse)) {
      return false;
    }
    try (Stream<Path> paths = Files.walk(warehouse, 4)) {
      return paths.anyMatch(
          path ->
              path.getFileName().toString().endsWith(".metadata.json")
                  && path.getParent().getFileName().toString().equals("metadata"));
    }
  }

  private static void createParentDirectory(String file) {
    String path = file.contains("?") ? file.substring(0, file.indexOf('?')) : file;
    if (path.isEmpty() || path.equals(":memory:")) {
      return;
    }
    Path parent = Path.of(path).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  /**
   * A failure of an operation on this warehouse, explained when its storage caused it: for a
   * warehouse in object storage, an exception naming the endpoint and bucket and how to fix it
   * (never a credential), a {@link dev.sluice.api.TransientException} when the endpoint cannot be
   * reached; a {@link dev.sluice.api.TransientException} too, with the same message, when the
   * catalog failed in a way that may pass when tried again (a commit that lost to a concurrent one,
   * a busy SQLite file, an unreachable PostgreSQL: see {@link CatalogFailures}); any other failure
   * is returned as it is.
   */
  public RuntimeException explain(RuntimeException failure) {
    return CatalogFailures.typed(files.explain(failure));
  }

  /** The warehouse's location: a local directory or an {@code s3://} URI. */
  public String location() {
    return location;
  }

  public JdbcCatalog catalog() {
    return catalog;
  }

  static TableIdentifier identifier(TableName name) {
    return TableIdentifier.of(Namespace.of(name.zone()), name.name());
  }

  /**
   * Loads a table if it exists.
   *
   * @throws DamagedTableException when its current metadata file is missing or not JSON
   * @throws WarehouseMovedException when the catalog places it outside this warehouse
   */
  public Optional<Table> findTable(TableName name) {
    PhaseTimer.Mark lookup = PhaseTimer.enter(StepPhase.CATALOG);
    try {
      return Optional.of(catalog.loadTable(identifier(name)));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    } catch (UnreadableMetadataException e) {
      throw explainUnreadable(name, e);
    } catch (org.apache.iceberg.exceptions.NotFoundException e) {
      throw new DamagedTableException(name, rootMessage(e), "cannot be read");
    } finally {
      lookup.close();
    }
  }

  private RuntimeException explainUnreadable(TableName name, UnreadableMetadataException e) {
    return switch (e.reason()) {
      case OUTSIDE_WAREHOUSE -> new WarehouseMovedException(e.location(), location);
      case MISSING -> new DamagedTableException(name, e.location(), "is missing");
      case NOT_JSON ->
          new DamagedTableException(
              name, e.location(), e.getMessage().substring(e.location().length() + 2));
    };
  }

  /**
   * Fails when the catalog places the warehouse's tables somewhere else than this warehouse (the
   * project was moved or copied): one table or view is loaded to read its location. Damaged tables
   * are left to the commands that touch them.
   */
  private void checkWarehouseLocation() {
    List<TableName> names = listTables();
    for (TableName name : names) {
      try {
        if (findTable(name).isPresent() || findView(name).isPresent()) {
          return;
        }
      } catch (DamagedTableException e) {
        // look at the next one
      }
    }
  }

  /** Loads a table, or fails naming the tables there are. */
  public Table loadTable(TableName name) {
    return findTable(name)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "Table "
                        + name
                        + " does not exist; 'sluice tables' lists the tables there are"));
  }

  /** Loads a view if it exists; fails as {@link #findTable} does. */
  public Optional<View> findView(TableName name) {
    TableIdentifier identifier = identifier(name);
    PhaseTimer.Mark lookup = PhaseTimer.enter(StepPhase.CATALOG);
    try {
      return catalog.viewExists(identifier)
          ? Optional.of(catalog.loadView(identifier))
          : Optional.empty();
    } catch (UnreadableMetadataException e) {
      throw explainUnreadable(name, e);
    } catch (org.apache.iceberg.exceptions.NotFoundException e) {
      throw new DamagedTableException(name, rootMessage(e), "cannot be read");
    } finally {
      lookup.close();
    }
  }

  /**
   * The view {@code name} as {@code point} reads it: in an environment its own version of the view
   * where it has one ({@link EnvironmentViews}), else production's. Views have no history, so every
   * other read point reads production's current view.
   */
  public Optional<View> findView(TableName name, ReadPoint point) {
    if (point instanceof ReadPoint.Environment environment) {
      Optional<View> own = environmentViews().find(name, environment.name());
      if (own.isPresent()) {
        return own;
      }
    }
    return findView(name);
  }

  /** The views of development environments, apart from production's. */
  public EnvironmentViews environmentViews() {
    return new EnvironmentViews(this);
  }

  /**
   * All tables and views, sorted by namespace then name: the zones' first, in their order, then the
   * other namespaces (a dbt project's schemas) by name.
   */
  public List<TableName> listTables() {
    List<TableName> names = new ArrayList<>();
    for (String space : namespaces()) {
      Namespace namespace = Namespace.of(space);
      catalog.listTables(namespace).forEach(id -> names.add(new TableName(space, id.name())));
      catalog.listViews(namespace).forEach(id -> names.add(new TableName(space, id.name())));
    }
    names.sort(CATALOG_ORDER);
    return names;
  }

  /** The order of {@link #listTables()}: the zones' first, in their order, then by name. */
  public static final java.util.Comparator<TableName> CATALOG_ORDER =
      java.util.Comparator.comparing(
              (TableName n) ->
                  Zone.fromName(n.zone()).map(Zone::ordinal).orElse(Zone.values().length))
          .thenComparing(TableName::zone)
          .thenComparing(TableName::name);

  /**
   * The names of the catalog's tables and of its views, listed now: one catalog query per namespace
   * instead of one per name. A command that looks up every model's table ({@code sluice plan}, the
   * comparison of {@code run --env}) looks up only the names listed here, and no view of a name
   * that is a table: on a 10,000-model project those per-name queries were a third of {@code sluice
   * plan}'s samples (JFR, docs/benchmarks.md).
   */
  public CatalogNames catalogNames() {
    Set<TableName> tables = new HashSet<>();
    Set<TableName> views = new HashSet<>();
    for (String space : namespaces()) {
      Namespace namespace = Namespace.of(space);
      catalog.listTables(namespace).forEach(id -> tables.add(new TableName(space, id.name())));
      catalog.listViews(namespace).forEach(id -> views.add(new TableName(space, id.name())));
    }
    return new CatalogNames(tables, views);
  }

  /**
   * Every table of the catalog (not the views) with the location of its current metadata file, in
   * one catalog query: what a metadata file holds never changes, so a command that keeps what it
   * read of a table by this location ({@code sluice run --env}'s comparison with production) loads
   * only the tables whose location moved, instead of every table (1,000 loads for one changed model
   * of a 1,000-model project; docs/benchmarks.md). Tables in namespaces of more than one level are
   * left out, as {@link #listTables()} leaves them out.
   */
  public Map<TableName, String> tableMetadataLocations() {
    PhaseTimer.Mark lookup = PhaseTimer.enter(StepPhase.CATALOG);
    try {
      return catalogConnections.run(
          connection -> {
            Map<TableName, String> locations = new HashMap<>();
            try (java.sql.PreparedStatement statement =
                connection.prepareStatement(
                    "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables"
                        + " WHERE catalog_name = ?"
                        + " AND (iceberg_type IS NULL OR iceberg_type = 'TABLE')")) {
              statement.setString(1, CATALOG_NAME);
              try (java.sql.ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                  String namespace = rows.getString(1);
                  if (!namespace.contains(".")) {
                    locations.put(new TableName(namespace, rows.getString(2)), rows.getString(3));
                  }
                }
              }
            }
            return locations;
          });
    } catch (java.sql.SQLException e) {
      throw new SluiceException("Cannot list the catalog's tables: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SluiceException("Interrupted while listing the catalog's tables", e);
    } finally {
      lookup.close();
    }
  }

  /**
   * The tables and the views of the catalog when {@link #catalogNames()} listed them.
   *
   * @param tables the tables' names
   * @param views the views' names
   */
  public record CatalogNames(Set<TableName> tables, Set<TableName> views) {
    public CatalogNames {
      tables = Set.copyOf(tables);
      views = Set.copyOf(views);
    }
  }

  /** The one-level namespaces of the catalog: the zones, and those of a dbt project's schemas. */
  private List<String> namespaces() {
    List<String> namespaces = new ArrayList<>();
    for (Zone zone : Zone.values()) {
      namespaces.add(zone.namespace());
    }
    for (Namespace namespace : catalog.listNamespaces()) {
      if (namespace.length() == 1
          && !namespace.level(0).equals(EnvironmentViews.NAMESPACE)
          && !namespaces.contains(namespace.level(0))) {
        namespaces.add(namespace.level(0));
      }
    }
    return namespaces;
  }

  /** Creates the namespace of a table that is not in a zone (a dbt schema's) if it is missing. */
  private void ensureNamespace(TableName name) {
    if (Zone.fromName(name.zone()).isEmpty()) {
      Namespaces.createIfMissing(catalog, Namespace.of(name.zone()));
    }
  }

  /** Creates an unpartitioned format-v2 table. */
  public Table createTable(TableName name, Schema schema, Map<String, String> properties) {
    return createTable(name, schema, PartitionSpec.unpartitioned(), properties);
  }

  /** Creates a format-v2 table partitioned by {@code spec} (built on {@code schema}). */
  public Table createTable(
      TableName name, Schema schema, PartitionSpec spec, Map<String, String> properties) {
    ensureNamespace(name);
    return catalog.createTable(identifier(name), schema, spec, tableProperties(properties));
  }

  private static Map<String, String> tableProperties(Map<String, String> properties) {
    Map<String, String> tableProperties = new HashMap<>(properties);
    tableProperties.put(TableProperties.FORMAT_VERSION, "2");
    tableProperties.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    return tableProperties;
  }

  /** Stores a view's SQL (DuckDB dialect) and its result schema in the catalog. */
  public void createOrReplaceView(
      TableName name, Schema schema, String sql, Map<String, String> properties) {
    ensureNamespace(name);
    catalog
        .buildView(identifier(name))
        .withSchema(schema)
        .withDefaultNamespace(Namespace.of(name.zone()))
        .withQuery("duckdb", sql)
        .withProperties(properties)
        .createOrReplace();
  }

  /**
   * Drops a table and deletes its files, or drops a view. A damaged table is dropped from the
   * catalog and, in a local warehouse, its directory deleted.
   */
  public boolean dropTable(TableName name) {
    TableIdentifier identifier = identifier(name);
    if (catalog.viewExists(identifier)) {
      return catalog.dropView(identifier);
    }
    boolean damaged;
    try {
      findTable(name);
      damaged = false;
    } catch (DamagedTableException e) {
      damaged = true;
    }
    boolean dropped = catalog.dropTable(identifier, true);
    if (dropped && damaged && files instanceof LocalWarehouseFiles) {
      Directories.deleteRecursively(Path.of(location, name.zone(), name.name()));
    }
    return dropped;
  }

  /**
   * Rolls a damaged table back to its newest readable metadata file older than the damaged one
   * (Iceberg writes one per commit and keeps the previous ones): the table loses the commits after
   * that file. Local warehouses only.
   *
   * @return the metadata file the table now uses
   * @throws InvalidInputException when the table is not damaged or no earlier file is readable
   */
  public String repairTable(TableName name) {
    String damaged;
    try {
      if (findTable(name).isEmpty()) {
        throw new InvalidInputException(
            "Table " + name + " does not exist; 'sluice tables' lists the tables there are");
      }
      throw new InvalidInputException("Table " + name + " is not damaged: nothing to repair");
    } catch (DamagedTableException e) {
      damaged = e.metadataLocation();
    }
    if (!(files instanceof LocalWarehouseFiles)) {
      throw new SluiceException(
          "Table "
              + name
              + " is damaged ("
              + damaged
              + "); 'sluice repair' works on local warehouses only: register an earlier metadata"
              + " file of the table with the catalog by hand");
    }
    Path metadataDirectory = Path.of(LocalPaths.toLocalPath(damaged)).getParent();
    int damagedVersion = metadataVersion(damaged);
    FileIO checkingIo = new MetadataCheckingFileIO(new LocalFileIO(), location);
    String chosen = null;
    long chosenUpdated = Long.MIN_VALUE;
    int chosenVersion = -1;
    try (Stream<Path> candidates = Files.list(metadataDirectory)) {
      for (Path candidate : candidates.toList()) {
        String file = candidate.toString();
        int version = metadataVersion(file);
        if (!file.endsWith(".metadata.json")
            || version < 0
            || version >= damagedVersion
            || version < chosenVersion) {
          continue;
        }
        try {
          org.apache.iceberg.TableMetadata metadata =
              org.apache.iceberg.TableMetadataParser.read(checkingIo, file);
          if (version > chosenVersion || metadata.lastUpdatedMillis() > chosenUpdated) {
            chosen = file;
            chosenVersion = version;
            chosenUpdated = metadata.lastUpdatedMillis();
          }
        } catch (RuntimeException e) {
          // damaged too: try an older one
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + metadataDirectory, e);
    }
    if (chosen == null) {
      throw new InvalidInputException(
          "Table "
              + name
              + " has no readable metadata file older than "
              + damaged
              + ": drop it with 'sluice drop "
              + name
              + " --force' and rebuild it with 'sluice run'");
    }
    TableIdentifier identifier = identifier(name);
    catalog.dropTable(identifier, false);
    catalog.registerTable(identifier, chosen);
    return chosen;
  }

  /** The commit number at the start of a metadata file's name ({@code 00003-uuid...}), or -1. */
  private static int metadataVersion(String location) {
    String file = location.substring(location.lastIndexOf('/') + 1);
    int dash = file.indexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(file.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Plans a read of a table at a read point. */
  public TableScanFiles scan(TableName name, ReadPoint point) {
    return scan(name, point, Expressions.alwaysTrue());
  }

  /**
   * Plans a read of a table at a read point, keeping only the files whose partition values and
   * column metrics may hold rows matching {@code filter}. The filter only prunes files: the reader
   * must still apply its own predicate. A filter that does not bind to the table's schema (an
   * unknown column, an incompatible literal) prunes nothing.
   */
  public TableScanFiles scan(TableName name, ReadPoint point, Expression filter) {
    return scanDataFiles(name, point, filter).read();
  }

  /**
   * As {@link #scan(TableName, ReadPoint, Expression)}, with each file's Iceberg description: for a
   * merge, which reads some files to rewrite them and removes them in its commit.
   */
  public DataFileScan scanDataFiles(TableName name, ReadPoint point, Expression filter) {
    return PhaseTimer.time(
        StepPhase.CATALOG, () -> planDataFiles(name, loadTable(name), point, filter));
  }

  /**
   * As {@link #scan(TableName, ReadPoint)}, of a table already loaded (by {@link #findTable}): the
   * read plans the version it found, without loading it again.
   */
  public TableScanFiles scan(TableName name, Table table, ReadPoint point) {
    return PhaseTimer.time(
            StepPhase.CATALOG, () -> planDataFiles(name, table, point, Expressions.alwaysTrue()))
        .read();
  }

  private DataFileScan planDataFiles(
      TableName name, Table table, ReadPoint point, Expression filter) {
    Long snapshotId = snapshotId(table, point);
    if (snapshotId == null) {
      return new DataFileScan(
          new TableScanFiles(name, table.schema(), List.of(), null, 0), List.of());
    }
    // main reads the table's current schema (a column renamed without a commit of data too);
    // another branch (an environment's) the schema its head was written with, which may differ
    // from main's until it is promoted
    Schema schema =
        (point instanceof ReadPoint.Branch || point instanceof ReadPoint.Environment)
                && isMainHead(table, snapshotId)
            ? table.schema()
            : SnapshotUtil.schemaFor(table, snapshotId, null);
    TableScan scan =
        table
            .newScan()
            .useSnapshot(snapshotId)
            .planWith(ManifestWork.executorFor(table.snapshot(snapshotId), table.io()));
    if (filter.op() != Expression.Operation.TRUE) {
      try {
        Binder.bind(schema.asStruct(), filter, false);
        scan = scan.filter(filter);
      } catch (ValidationException e) {
        // the filter is only an optimization: read every file
      }
    }
    List<String> dataFiles = new ArrayList<>();
    List<DataFile> described = new ArrayList<>();
    long records = 0;
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new SluiceException(
              "Table " + name + " has row-level delete files, which Sluice cannot read yet");
        }
        dataFiles.add(files.readablePath(task.file().location()));
        described.add(task.file());
        records += task.file().recordCount();
        bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DataFileScan(
        new TableScanFiles(
            name, schema, dataFiles, snapshotId, records, columnMapping(table, schema), bytes),
        described);
  }

  /**
   * {@link ColumnMapping#NAME} when every schema the table ever had equals the one read (same field
   * ids, names, types) and no two columns differ only in case: then every data file, which Sluice
   * writes with the table's column names, carries the read schema's names. Else field ids.
   */
  static ColumnMapping columnMapping(Table table, Schema read) {
    for (Schema schema : table.schemas().values()) {
      if (!schema.asStruct().equals(read.asStruct())) {
        return ColumnMapping.FIELD_ID;
      }
    }
    Set<String> names = new HashSet<>();
    for (String name : TypeUtil.indexByName(read.asStruct()).keySet()) {
      if (!names.add(name.toLowerCase(Locale.ROOT))) {
        return ColumnMapping.FIELD_ID;
      }
    }
    return ColumnMapping.NAME;
  }

  /** Whether the snapshot is the head of main. */
  private static boolean isMainHead(Table table, long snapshotId) {
    SnapshotRef main = table.refs().get(SnapshotRef.MAIN_BRANCH);
    return main != null && main.snapshotId() == snapshotId;
  }

  private static Long snapshotId(Table table, ReadPoint point) {
    if (point instanceof ReadPoint.Environment environment) {
      SnapshotRef ref = table.refs().get(environment.name());
      if (ref == null) {
        ref = table.refs().get(SnapshotRef.MAIN_BRANCH);
      }
      return ref == null ? null : ref.snapshotId();
    }
    if (point instanceof ReadPoint.Branch branch) {
      SnapshotRef ref = table.refs().get(branch.name());
      if (ref == null) {
        if (branch.name().equals(SnapshotRef.MAIN_BRANCH)) {
          return null;
        }
        throw new InvalidInputException(
            "Table " + table.name() + " has no branch " + branch.name());
      }
      return ref.snapshotId();
    }
    if (point instanceof ReadPoint.Snapshot snapshot) {
      if (table.snapshot(snapshot.snapshotId()) == null) {
        throw new InvalidInputException(
            "Table " + table.name() + " has no snapshot " + snapshot.snapshotId());
      }
      return snapshot.snapshotId();
    }
    long timestamp = ((ReadPoint.AsOfTime) point).timestampMillis();
    try {
      return SnapshotUtil.snapshotIdAsOfTime(table, timestamp);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "Table "
              + table.name()
              + " has no snapshot as old as "
              + java.time.Instant.ofEpochMilli(timestamp));
    }
  }

  /** A local path the engine can read the data file at {@code location} from. */
  public String readablePath(String location) {
    return files.readablePath(location);
  }

  /** A new, unique data file path inside the table's location. */
  public Path newDataFilePath(Table table) {
    return files.newDataFile(newDataLocation(table));
  }

  private static String newDataLocation(Table table) {
    return table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet");
  }

  /**
   * Writes the rows of {@code sql} with the session's engine as a new data file of the table, with
   * the schema's field ids: a local file (uploaded by {@link #toDataFile}) or, for an engine that
   * writes object storage itself (see {@link #readBy}), a file under the table's location that no
   * other write uses.
   */
  public WrittenFile writeDataFile(Table table, EngineSession session, String sql, Schema schema) {
    ParquetCompression compression = compression(table);
    return PhaseTimer.time(
        StepPhase.DATA_FILE,
        () -> files.write(session, sql, schema, newDataLocation(table), compression));
  }

  /**
   * How the table's data files are compressed: as its Iceberg properties {@value
   * ParquetCompression#CODEC_PROPERTY} and {@value ParquetCompression#LEVEL_PROPERTY} say (which
   * Sluice sets from the project, and other writers such as Spark honour too), else {@link
   * ParquetCompression#DEFAULT}.
   *
   * @throws InvalidInputException when the properties name a codec Sluice cannot write
   */
  public static ParquetCompression compression(Table table) {
    try {
      return ParquetCompression.fromTableProperties(table.properties())
          .orElse(ParquetCompression.DEFAULT);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "Table "
              + table.name()
              + ": "
              + e.getMessage()
              + "; set the table's compression in the project (parquet: in sluice.yaml) or with"
              + " ALTER TABLE ... SET TBLPROPERTIES");
    }
  }

  /**
   * Describes a Parquet file written for the table, with column metrics read from its footer. For a
   * warehouse in object storage, this uploads the file.
   */
  public DataFile toDataFile(Table table, WrittenFile file) {
    return toDataFile(table, file, null);
  }

  /**
   * Describes a written file for a commit, stored where the table's files live.
   *
   * @param partition the partition all of the file's rows belong to in the table's spec, or null
   *     for an unpartitioned table
   */
  public DataFile toDataFile(Table table, WrittenFile file, StructLike partition) {
    return PhaseTimer.time(StepPhase.DATA_FILE, () -> describe(table, file, partition));
  }

  private DataFile describe(Table table, WrittenFile file, StructLike partition) {
    MetricsConfig config = MetricsConfig.forTable(table);
    Metrics metrics;
    String stored;
    if (file.isLocal()) {
      metrics = footerMetrics(file.path(), config);
      stored = files.store(file.path());
    } else {
      // written into object storage by the engine: its footer is read from there
      stored = files.storeWritten(file.location());
      metrics = ParquetUtil.fileMetrics(table.io().newInputFile(stored), config);
    }
    DataFiles.Builder builder =
        DataFiles.builder(table.spec())
            .withPath(stored)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(file.sizeInBytes())
            .withMetrics(metrics);
    if (partition != null) {
      builder.withPartition(partition);
    }
    return builder.build();
  }

  /**
   * Column metrics from a local Parquet file's footer. Read with a plain Parquet configuration:
   * Iceberg's {@code ParquetUtil.fileMetrics} builds a Hadoop {@code Configuration}, which parses
   * Hadoop's default XML resources for every file (about 5 ms a file against 0.2 ms).
   */
  private static Metrics footerMetrics(Path file, MetricsConfig config) {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new LocalInputFile(file),
            ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      return ParquetUtil.footerMetrics(reader.getFooter(), Stream.empty(), config);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Parquet footer of " + file, e);
    }
  }

  /** Adds a listener that hears of every commit made through this lake's write path from now on. */
  public void onCommit(CommitListener listener) {
    commitListeners.add(requireNonNull(listener, "listener is null"));
  }

  /** Tells the listeners of a commit; a listener's failure is logged, the commit stands. */
  void committed(TableCommit commit) {
    for (CommitListener listener : commitListeners) {
      try {
        listener.committed(commit);
      } catch (RuntimeException e) {
        COMMIT_LOG.error(
            "A listener failed to record the commit of snapshot {} to {}: {}",
            commit.snapshotId(),
            commit.table(),
            e.getMessage(),
            e);
      }
    }
  }

  /**
   * Expires the snapshots of a table older than {@code olderThan} (Iceberg's {@code
   * ExpireSnapshots}), keeping at least the current snapshot of main and the snapshots that
   * branches and tags point to, and deletes the files that only expired snapshots referenced. Time
   * travel to an expired snapshot fails afterwards, and the rows only its files held are gone.
   *
   * @throws dev.sluice.api.InvalidInputException when the table does not exist
   */
  public ExpiredSnapshots expireSnapshots(TableName name, java.time.Instant olderThan) {
    requireNonNull(olderThan, "olderThan is null");
    Table table = loadTable(name);
    int before = snapshotCount(table);
    List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
    org.apache.iceberg.io.FileIO io = table.io();
    org.apache.iceberg.ExpireSnapshots expire =
        table
            .expireSnapshots()
            .expireOlderThan(olderThan.toEpochMilli())
            .retainLast(1)
            .deleteWith(
                path -> {
                  io.deleteFile(path);
                  deleted.add(path);
                });
    // Naming the snapshots makes Iceberg find the files to delete by reachability (every file of
    // an expired snapshot that no kept snapshot references); its incremental cleanup, used for an
    // expiry by age alone, keeps the files that a kept snapshot deleted, such as the files a
    // retention delete removed, until that snapshot expires too.
    Set<Long> referenced = new HashSet<>();
    table.refs().values().forEach(ref -> referenced.add(ref.snapshotId()));
    boolean any = false;
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.timestampMillis() < olderThan.toEpochMilli()
          && !referenced.contains(snapshot.snapshotId())) {
        expire.expireSnapshotId(snapshot.snapshotId());
        any = true;
      }
    }
    if (!any) {
      return new ExpiredSnapshots(0, List.of());
    }
    expire.commit();
    table.refresh();
    return new ExpiredSnapshots(before - snapshotCount(table), deleted);
  }

  private static int snapshotCount(Table table) {
    int count = 0;
    for (Snapshot ignored : table.snapshots()) {
      count++;
    }
    return count;
  }

  /** Starts a write to one table: a pending commit to an audit branch, then publish or discard. */
  public TableWrite newWrite(TableName name, String auditBranch) {
    return new TableWrite(this, name, loadTable(name), auditBranch);
  }

  /** As {@link #newWrite(TableName, String)}, to a table already loaded (by {@link #findTable}). */
  public TableWrite newWrite(TableName name, Table table, String auditBranch) {
    return new TableWrite(this, name, table, auditBranch);
  }

  /**
   * Starts a write to one table whose commits go to branch {@code target} (an environment's)
   * instead of main: the branch starts at main's head when the table does not have it yet, and
   * readers of main see nothing of the write.
   */
  public TableWrite newWrite(TableName name, String auditBranch, String target) {
    return new TableWrite(this, name, loadTable(name), auditBranch, target);
  }

  /** The branches of the warehouse's tables: environments' branches, their heads, their removal. */
  public Branches branches() {
    return new Branches(this);
  }

  /**
   * Starts the first write of a table that does not exist yet: the table is created by the write's
   * commit to main, together with its data, so that a write that fails, is cancelled or is killed
   * leaves no table behind (not an empty one). Such a write is audited before it commits, see
   * {@link TableWrite#newCommit}.
   */
  public TableWrite newTableWrite(
      TableName name,
      Schema schema,
      PartitionSpec spec,
      Map<String, String> properties,
      String auditBranch) {
    org.apache.iceberg.Transaction create =
        catalog
            .buildTable(identifier(name), schema)
            .withPartitionSpec(spec)
            .withProperties(tableProperties(properties))
            .createTransaction();
    return new TableWrite(this, name, create, auditBranch);
  }

  /**
   * What a table holds in storage: live data, data kept only by old snapshots, and metadata, from
   * its Iceberg metadata.
   *
   * @throws InvalidInputException when the table does not exist
   */
  public TableStorage storage(TableName name) {
    return TableStorage.measure(name, loadTable(name));
  }

  /** The snapshot at the head of main, or empty. */
  public Optional<Snapshot> currentSnapshot(TableName name) {
    return findTable(name).map(Table::currentSnapshot);
  }

  /** Closes the catalog, the warehouse files and the storage, each even when one before failed. */
  @Override
  public void close() {
    if (view) {
      return;
    }
    RuntimeException failure = null;
    try {
      catalog.close();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      files.close();
    } catch (RuntimeException e) {
      failure = withSuppressed(failure, e);
    }
    try {
      storage.close();
    } catch (Exception e) {
      failure =
          withSuppressed(
              failure,
              new SluiceException("Cannot close the warehouse storage: " + e.getMessage(), e));
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException withSuppressed(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
