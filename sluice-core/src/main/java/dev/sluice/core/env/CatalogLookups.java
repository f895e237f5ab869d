package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.DerivedCache;
import dev.sluice.lake.DamagedTableException;
import dev.sluice.lake.Lake;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
 *
 * <p>What a comparison reads of a table ({@link TableState}) is kept in the state database by the
 * location of the table's metadata file ({@link DerivedCache.Kind#TABLE_SUMMARY}): the locations of
 * all tables are read in one catalog query, and only a table whose location is not the one kept is
 * loaded (its metadata file read and parsed), so an unchanged warehouse is compared without loading
 * a table. A table changed by any writer, Sluice or not, has a new metadata file, so it is loaded
 * again.
 */
final class CatalogLookups {
  /**
   * Threads that load tables ahead ({@link #prefetch}): a table's load is mostly waiting for its
   * metadata file and the catalog, and the caller meanwhile renders every model's fingerprint.
   */
  private static final int PREFETCH_THREADS = 4;

  private final Lake lake;
  private final DerivedCache cache;
  private final Clock clock;
  private final Map<TableName, CompletableFuture<Optional<Table>>> tables =
      new ConcurrentHashMap<>();
  private final Map<TableName, Optional<View>> views = new HashMap<>();
  private final Map<TableName, TableState> states = new ConcurrentHashMap<>();

  /** The states read from tables in this comparison, to keep: by table, its location and state. */
  private final Map<String, DerivedCache.Entry> found = new ConcurrentHashMap<>();

  private Map<String, DerivedCache.Entry> kept;
  private Map<TableName, String> locations;
  private Lake.CatalogNames names;

  CatalogLookups(Workspace workspace) {
    this.lake = requireNonNull(workspace.lake(), "lake is null");
    this.cache = workspace.runStore().derivedCache();
    this.clock = workspace.clock();
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

  /** Every table's metadata file, read in one catalog query at the first look-up. */
  private Map<TableName, String> locations() {
    if (locations == null) {
      locations = lake.tableMetadataLocations();
    }
    return locations;
  }

  private Map<String, DerivedCache.Entry> kept() {
    if (kept == null) {
      kept = cache.all(DerivedCache.Kind.TABLE_SUMMARY);
    }
    return kept;
  }

  Lake lake() {
    return lake;
  }

  /**
   * Starts loading those of these tables whose state is not kept for their current metadata file,
   * on a few threads of their own, for {@link #state} to find loaded: comparing a 1,000-model
   * project with production loaded 1,000 tables (bench suite environments, profiled with JFR: the
   * loads and the fingerprints' rendering were each about a third of {@code run --env}'s overhead
   * for one changed model), which now overlap, and only the changed ones load. A load's failure is
   * {@link #state}'s to throw, as without prefetching.
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
      for (TableName name : wanted) {
        String location = locations().get(name);
        if (location == null || keptState(name, location).isPresent()) {
          continue;
        }
        tables.computeIfAbsent(
            name, key -> CompletableFuture.supplyAsync(() -> lake.findTable(key), loaders));
      }
    } finally {
      loaders.shutdown(); // the loads queued run to their end; the threads end after them
    }
  }

  /** Whether the catalog has a table so named. */
  boolean hasTable(TableName name) {
    return locations().containsKey(name);
  }

  /**
   * What a comparison reads of the table so named: kept for its current metadata file, else read
   * from the table (and kept by {@link #keep}); empty when there is no such table.
   *
   * @throws dev.sluice.lake.DamagedTableException when its metadata file cannot be read
   */
  Optional<TableState> state(TableName name) {
    String location = locations().get(name);
    if (location == null) {
      return Optional.empty();
    }
    return Optional.of(stateAt(name, location));
  }

  private TableState stateAt(TableName name, String location) {
    TableState known = states.get(name);
    if (known != null) {
      return known;
    }
    TableState state =
        keptState(name, location)
            .orElseGet(
                () -> {
                  // a table dropped since the listing has no state: as if it had no branch
                  TableState read = load(name).map(TableState::of).orElse(new TableState(Map.of()));
                  found.put(name.toString(), new DerivedCache.Entry(location, read.toJson()));
                  return read;
                });
    states.put(name, state);
    return state;
  }

  private Optional<TableState> keptState(TableName name, String location) {
    DerivedCache.Entry entry = kept().get(name.toString());
    if (entry == null || !entry.key().equals(location)) {
      return Optional.empty();
    }
    return TableState.fromJson(entry.value());
  }

  private Optional<Table> load(TableName name) {
    CompletableFuture<Optional<Table>> loaded =
        tables.computeIfAbsent(name, key -> CompletableFuture.completedFuture(lake.findTable(key)));
    try {
      return loaded.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Keeps in the state database the tables' states read since the last call. */
  void keep() {
    Map<String, DerivedCache.Entry> entries = new HashMap<>(found);
    found.keySet().removeAll(entries.keySet());
    // the tables dropped since: their states are forgotten
    Set<String> gone = new HashSet<>(kept().keySet());
    locations().keySet().forEach(table -> gone.remove(table.toString()));
    cache.put(DerivedCache.Kind.TABLE_SUMMARY, entries, gone, clock.instant());
    entries.forEach(kept()::put);
    kept().keySet().removeAll(gone);
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
   * dev.sluice.lake.Branches#tablesWith} lists them (a damaged table has none), in the catalog's
   * order ({@link Lake#listTables()}).
   */
  List<TableName> tablesWith(String branch) {
    // listed again now: a table created since the first look-up is looked at too
    Map<TableName, String> now = lake.tableMetadataLocations();
    List<TableName> found = new ArrayList<>();
    List<TableName> names = new ArrayList<>(now.keySet());
    names.sort(Lake.CATALOG_ORDER);
    for (TableName name : names) {
      try {
        if (stateAt(name, now.get(name)).branch(branch).isPresent()) {
          found.add(name);
        }
      } catch (DamagedTableException e) {
        // a damaged table has no readable branches: 'sluice tables' reports it
      }
    }
    keep();
    return found;
  }
}
