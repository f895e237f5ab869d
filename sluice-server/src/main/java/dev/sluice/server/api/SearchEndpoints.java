package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.server.catalog.AssetCatalog;
import dev.sluice.server.catalog.CatalogSearch;
import dev.sluice.server.catalog.Catalogs;
import dev.sluice.server.catalog.Visibility;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/search?q=}: catalog search over names, descriptions, columns and tags, ranked
 * by Lucene ({@link CatalogSearch}), of the assets the caller may read.
 */
public final class SearchEndpoints {
  private final Supplier<Workspace> workspace;
  private final Catalogs catalogs;

  public SearchEndpoints(Supplier<Workspace> workspace, Catalogs catalogs) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.catalogs = requireNonNull(catalogs, "catalogs is null");
  }

  public void register(Routes routes) {
    routes.get(
        "/api/v1/search",
        Access.AUTHENTICATED,
        "Catalog search over names, descriptions, columns and tags, the best match first",
        this::search);
  }

  private void search(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    String query = ctx.queryParam("q");
    if (query == null || query.isBlank()) {
      throw new InvalidInputException(
          "The search needs words to look for: GET /api/v1/search?q=customers");
    }
    Workspace open = workspace.get();
    AccessPolicy policy = new QueryService(open).policy();
    List<Map<String, Object>> items = new ArrayList<>();
    for (CatalogSearch.Hit hit :
        catalogs
            .search(open)
            .search(query, entry -> Visibility.readable(policy, principal, entry.asset()))) {
      AssetCatalog.Entry entry = hit.entry();
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", entry.name());
      item.put("kind", entry.kind());
      item.put("table", entry.asset().tableName().toString());
      item.put("description", entry.description());
      item.put("tags", entry.tags());
      item.put("matchingColumns", hit.columns());
      item.put("score", hit.score());
      items.add(item);
    }
    ctx.json(page.slice(items));
  }
}
