package dev.sluice.server.catalog;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog and search index of the project being served, derived on first use and again only
 * when the served project is replaced (its files changed) or a run has started or finished since
 * (tables may have new columns), not at every request; after a run, in the background.
 */
public final class Catalogs {
  private static final Logger log = LoggerFactory.getLogger(Catalogs.class);

  private record Derived(
      Project project, String lastRun, AssetCatalog catalog, CatalogSearch search) {}

  private final AtomicReference<Derived> derived = new AtomicReference<>();
  private final Object deriving = new Object();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final ExecutorService refresher =
      Executors.newSingleThreadExecutor(
          work -> {
            Thread thread = new Thread(work, "sluice-catalog-refresh");
            thread.setDaemon(true);
            return thread;
          });

  /** The catalog of the workspace's project. */
  public AssetCatalog catalog(Workspace workspace) {
    return of(workspace).catalog();
  }

  /** The search index of the workspace's project. */
  public CatalogSearch search(Workspace workspace) {
    return of(workspace).search();
  }

  /**
   * The derived catalog of the workspace's project. A new project (its files changed) is derived
   * before answering, by one request while the others wait for it; after a run started or finished,
   * the current catalog keeps answering while one background thread derives the next (with 10,000
   * assets a derivation takes seconds: every request waiting for it, or each deriving its own,
   * would stall the server at every run).
   */
  private Derived of(Workspace workspace) {
    Project project = workspace.project();
    String lastRun = lastRun(workspace);
    Derived current = derived.get();
    if (same(current, project)) {
      if (!current.lastRun().equals(lastRun) && refreshing.compareAndSet(false, true)) {
        try {
          refresher.execute(
              () -> {
                try {
                  Derived fresh = derive(workspace, project, lastRun(workspace));
                  // a project replaced meanwhile is derived by its first request: keep that one
                  derived.updateAndGet(previous -> same(previous, project) ? fresh : previous);
                } catch (RuntimeException e) {
                  log.warn("Cannot refresh the catalog after a run: {}", e.getMessage());
                } finally {
                  refreshing.set(false);
                }
              });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          refreshing.set(false);
        }
      }
      return current;
    }
    synchronized (deriving) {
      current = derived.get();
      if (same(current, project)) {
        return current;
      }
      Derived fresh = derive(workspace, project, lastRun);
      derived.set(fresh);
      return fresh;
    }
  }

  // the same loaded project, not an equal one: a record's equals would compare every asset
  @SuppressWarnings("ReferenceEquality")
  private static boolean same(Derived current, Project project) {
    return current != null && current.project() == project;
  }

  private Derived derive(Workspace workspace, Project project, String lastRun) {
    AssetCatalog catalog = AssetCatalog.of(project, table -> stored(workspace, table));
    return new Derived(project, lastRun, catalog, CatalogSearch.of(catalog));
  }

  private static String lastRun(Workspace workspace) {
    return workspace.runStore().runs().listRuns(1).stream()
        .findFirst()
        .map(run -> run.id() + " " + run.status())
        .orElse("");
  }

  private static List<AssetCatalog.StoredColumn> stored(Workspace workspace, TableName table) {
    List<AssetCatalog.StoredColumn> columns = new ArrayList<>();
    try {
      workspace
          .lake()
          .findTable(table)
          .ifPresent(
              found ->
                  found
                      .schema()
                      .columns()
                      .forEach(
                          field ->
                              columns.add(
                                  new AssetCatalog.StoredColumn(
                                      field.name(), field.type().toString()))));
    } catch (RuntimeException e) {
      // a damaged or unreadable table: the catalog shows what the project files declare
      return List.of();
    }
    return columns;
  }
}
