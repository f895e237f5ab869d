package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.lake.DamagedTableException;
import dev.sluice.lake.Lake;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.iceberg.Table;
import org.apache.iceberg.view.View;

/**
 * The catalog's tables and production's views as one comparison of the project with the warehouse
 * found them, each loaded once. Comparing a 1,000-model project with production loaded every
 * model's table four times (the change plan, the fingerprint comparison, and two searches for the
 * environment's branches), which was two thirds of the time of {@code sluice run --env} for one
 * changed model (bench suite environments, profiled with JFR). Not for after a write: a table
 * written since is as it was when first looked up here.
 */
final class CatalogLookups {
  /**
   * Threads that load tables ahead ({@link #prefetch}): a table's load is mostly waiting for its
   * metadata file and the catalog, and the caller meanwhile renders every model's fingerprint.
   */
  private static final int PREFETCH_THREADS = 4;

  private final Lake lake;
  private final Map<TableName, CompletableFuture<Optional<Table>>> tables =
      new ConcurrentHashMap<>();
  private final Map<TableName, Optional<View>> views = new HashMap<>();
  private Lake.CatalogNames names;

  CatalogLookups(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /**
   * The catalog's names, listed at the first look-up: a name not listed is not looked up (one
   * catalog query per namespace instead of one per model's table and one per view).
   */
  private Lake.CatalogNames names() {
    if (names == null) {
      names = lake.catalogNames();
    }
    return names;
  }

  Lake lake() {
    return lake;
  }

  /**
   * Starts loading these tables on a few threads of their own, for {@link #table} to find loaded:
   * comparing a 1,000-model project with production loads 1,000 tables (bench suite environments,
   * profiled with JFR: the loads and the fingerprints' rendering were each about a third of {@code
   * run --env}'s overhead for one changed model), which now overlap. A load's failure is {@link
   * #table}'s to throw, as without prefetching.
   */
  void prefetch(Collection<TableName> wanted) {
    ExecutorService loaders =
        Executors.newFixedThreadPool(
            PREFETCH_THREADS,
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-table-lookup");
              thread.setDaemon(true);
              return thread;
            });
    try {
      Set<TableName> listed = names().tables();
      for (TableName name : wanted) {
        if (!listed.contains(name)) {
          continue;
        }
        tables.computeIfAbsent(
            name, key -> CompletableFuture.supplyAsync(() -> lake.findTable(key), loaders));
      }
    } finally {
      loaders.shutdown(); // the loads queued run to their end; the threads end after them
    }
  }

  /** The table so named, as {@link Lake#findTable} finds it. */
  Optional<Table> table(TableName name) {
    if (!tables.containsKey(name) && !names().tables().contains(name)) {
      return Optional.empty();
    }
    return load(name);
  }

  private Optional<Table> load(TableName name) {
    CompletableFuture<Optional<Table>> found =
        tables.computeIfAbsent(name, key -> CompletableFuture.completedFuture(lake.findTable(key)));
    try {
      return found.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Production's view so named, as {@link Lake#findView(TableName)} finds it. */
  Optional<View> view(TableName name) {
    if (!names().views().contains(name)) {
      return Optional.empty();
    }
    return views.computeIfAbsent(name, lake::findView);
  }

  /**
   * The tables of the warehouse that have a branch of this name, as {@link
   * dev.sluice.lake.Branches#tablesWith} lists them (a damaged table has none).
   */
  List<TableName> tablesWith(String branch) {
    List<TableName> found = new ArrayList<>();
    for (TableName name : lake.listTables()) {
      try {
        // listed again now: a table created since the first look-up is loaded too
        if (load(name).map(table -> table.refs().containsKey(branch)).orElse(false)) {
          found.add(name);
        }
      } catch (DamagedTableException e) {
        // a damaged table has no readable branches: 'sluice tables' reports it
      }
    }
    return found;
  }
}
