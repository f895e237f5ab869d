package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What an engine is started with.
 *
 * @param tempDirectory where the engine may spill intermediate results larger than memory; it
 *     exists
 * @param memoryLimit how much memory the engine may use, e.g. {@code 4GB}, or null for the engine's
 *     default
 * @param options the engine's own settings from {@code sluice.yaml}, secrets already resolved (e.g.
 *     the Spark engine's {@code remote} and {@code token}); never logged or printed as a whole
 * @param warehouseStorage the warehouse's object storage, for an engine that reads and writes it
 *     itself ({@link EngineSession#readsObjectStoreLocations()}); null for a local warehouse
 * @param lakeCatalog the lake's Iceberg catalog, for an engine that may commit to its tables itself
 *     ({@link EngineSession#mergeIntoLakeTable}); null when the catalog is not shared with engines
 */
public record EngineSettings(
    Path tempDirectory,
    String memoryLimit,
    Map<String, String> options,
    WarehouseStorage warehouseStorage,
    LakeCatalog lakeCatalog) {
  public EngineSettings {
    requireNonNull(tempDirectory, "tempDirectory is null");
    options = Map.copyOf(requireNonNull(options, "options is null"));
  }

  /** Settings without the lake's catalog. */
  public EngineSettings(
      Path tempDirectory,
      String memoryLimit,
      Map<String, String> options,
      WarehouseStorage warehouseStorage) {
    this(tempDirectory, memoryLimit, options, warehouseStorage, null);
  }

  /** Settings for a local warehouse. */
  public EngineSettings(Path tempDirectory, String memoryLimit, Map<String, String> options) {
    this(tempDirectory, memoryLimit, options, null);
  }

  /** These settings for a warehouse in object storage ({@code storage}), or a local one (null). */
  public EngineSettings withWarehouseStorage(WarehouseStorage storage) {
    return new EngineSettings(tempDirectory, memoryLimit, options, storage, lakeCatalog);
  }

  /** These settings with the lake's Iceberg catalog ({@code catalog}), or without (null). */
  public EngineSettings withLakeCatalog(LakeCatalog catalog) {
    return new EngineSettings(tempDirectory, memoryLimit, options, warehouseStorage, catalog);
  }

  /** The lake's Iceberg catalog, if it is shared with engines. */
  public Optional<LakeCatalog> catalog() {
    return Optional.ofNullable(lakeCatalog);
  }

  /** The warehouse's object storage, if it is in object storage. */
  public Optional<WarehouseStorage> warehouse() {
    return Optional.ofNullable(warehouseStorage);
  }

  /** Settings without engine options. */
  public EngineSettings(Path tempDirectory, String memoryLimit) {
    this(tempDirectory, memoryLimit, Map.of());
  }

  /** The option of a name, if set and not blank. */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name)).filter(value -> !value.isBlank());
  }

  @Override
  public String toString() {
    return "EngineSettings[tempDirectory="
        + tempDirectory
        + ", memoryLimit="
        + memoryLimit
        + ", options="
        + options.keySet()
        + (warehouseStorage == null ? "" : ", warehouseStorage=" + warehouseStorage)
        + (lakeCatalog == null ? "" : ", lakeCatalog=" + lakeCatalog)
        + "]";
  }
}
