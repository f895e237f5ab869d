package dev.sluice.server.catalog;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog and search index of the project being served, derived on first use and again only
 * when the served project is replaced (its files changed) or a run has started or finished since
 * (tables may have new columns), not at every request.
 */
public final class Catalogs {
  private record Derived(
      Project project, String lastRun, AssetCatalog catalog, CatalogSearch search) {}

  private final AtomicReference<Derived> derived = new AtomicReference<>();

  /** The catalog of the workspace's project. */
  public AssetCatalog catalog(Workspace workspace) {
    return of(workspace).catalog();
  }

  /** The search index of the workspace's project. */
  public CatalogSearch search(Workspace workspace) {
    return of(workspace).search();
  }

  private Derived of(Workspace workspace) {
    Project project = workspace.project();
    String lastRun =
        workspace.runStore().runs().listRuns(1).stream()
            .findFirst()
            .map(run -> run.id() + " " + run.status())
            .orElse("");
    Derived current = derived.get();
    // the same loaded project, not an equal one: a record's equals would compare every asset
    @SuppressWarnings("ReferenceEquality")
    boolean same =
        current != null && current.project() == project && current.lastRun().equals(lastRun);
    if (same) {
      return current;
    }
    AssetCatalog catalog = AssetCatalog.of(project, table -> stored(workspace, table));
    Derived fresh = new Derived(project, lastRun, catalog, CatalogSearch.of(catalog));
    derived.set(fresh);
    return fresh;
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
