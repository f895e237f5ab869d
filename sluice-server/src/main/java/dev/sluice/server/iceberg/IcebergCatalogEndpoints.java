package dev.sluice.server.iceberg;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.governance.Principal;
import dev.sluice.server.api.Access;
import dev.sluice.server.api.ApiHandler;
import dev.sluice.server.auth.RequestAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties.SnapshotMode;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ListNamespacesResponse;
import org.apache.iceberg.rest.responses.ListTablesResponse;
import org.apache.iceberg.rest.responses.LoadTableResponse;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The Iceberg REST catalog at {@value #PREFIX} (the Iceberg REST OpenAPI, served by Iceberg's own
 * {@link CatalogHandlers} over the lake's catalog), so that Spark, Trino, Flink, PyIceberg and
 * DuckDB read Sluice's tables:
 *
 * <ul>
 *   <li>every endpoint needs the server's credentials (an API token as the client's {@code token},
 *       sent as {@code Authorization: Bearer});
 *   <li>namespaces (the zones) and tables are listed when the caller holds a read grant on them;
 *   <li>a table is loaded only when the caller reads it as stored: a mask, a row filter or a column
 *       left out for it refuses it (403) with the way to read it governed, the SQL endpoint; a
 *       caller but the project's owner and administrators sees the table's {@code main} branch
 *       only, never a write's audit branch of data not yet checked;
 *   <li>creating, committing to and dropping tables is for administrators.
 * </ul>
 *
 * Every table served and every refusal is in the audit log.
 */
public final class IcebergCatalogEndpoints {
  /** Where the catalog is served: a client's {@code uri} is the server's URL and this. */
  public static final String PREFIX = "/iceberg";

  private static final String NAMESPACE = PREFIX + "/v1/namespaces/{namespace}";
  private static final String TABLES = NAMESPACE + "/tables";
  private static final String TABLE = TABLES + "/{table}";

  /** The REST spec's separator of a namespace's levels (0x1F), URL-encoded, as clients send it. */
  private static final String NAMESPACE_SEPARATOR = "%1F";

  /** What the catalog answers, as the client checks it before each call. */
  private static final List<Endpoint> ENDPOINTS =
      List.of(
          Endpoint.V1_LIST_NAMESPACES,
          Endpoint.V1_LOAD_NAMESPACE,
          Endpoint.V1_NAMESPACE_EXISTS,
          Endpoint.V1_LIST_TABLES,
          Endpoint.V1_LOAD_TABLE,
          Endpoint.V1_TABLE_EXISTS,
          Endpoint.V1_CREATE_TABLE,
          Endpoint.V1_UPDATE_TABLE,
          Endpoint.V1_DELETE_TABLE);

  private final Supplier<Workspace> workspace;
  private final RequestAuthentication authentication;

  public IcebergCatalogEndpoints(
      Supplier<Workspace> workspace, RequestAuthentication authentication) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.authentication = requireNonNull(authentication, "authentication is null");
  }

  /** Adds the catalog's routes; their failures answer in the Iceberg REST error format. */
  public void register(RoutesConfig routes) {
    add(routes, HandlerType.GET, PREFIX + "/v1/config", Access.AUTHENTICATED, this::config);
    add(
        routes,
        HandlerType.GET,
        PREFIX + "/v1/namespaces",
        Access.AUTHENTICATED,
        this::listNamespaces);
    add(routes, HandlerType.GET, NAMESPACE, Access.AUTHENTICATED, this::loadNamespace);
    add(routes, HandlerType.HEAD, NAMESPACE, Access.AUTHENTICATED, this::namespaceExists);
    add(routes, HandlerType.GET, TABLES, Access.AUTHENTICATED, this::listTables);
    add(routes, HandlerType.POST, TABLES, Access.ADMIN, this::createTable);
    add(routes, HandlerType.GET, TABLE, Access.AUTHENTICATED, this::loadTable);
    add(routes, HandlerType.HEAD, TABLE, Access.AUTHENTICATED, this::tableExists);
    add(routes, HandlerType.POST, TABLE, Access.ADMIN, this::updateTable);
    add(routes, HandlerType.DELETE, TABLE, Access.ADMIN, this::dropTable);
  }

  private void add(
      RoutesConfig routes, HandlerType method, String path, Access access, ApiHandler handler) {
    routes.addHttpHandler(
        method,
        path,
        ctx -> {
          try {
            handler.handle(ctx, authentication.authenticate(ctx, access));
          } catch (Exception e) {
            IcebergErrors.respond(ctx, e);
          }
        });
  }

  private void config(Context ctx, Principal principal) {
    respond(ctx, ConfigResponse.builder().withEndpoints(ENDPOINTS).build());
  }

  private void listNamespaces(Context ctx, Principal principal) {
    String parent = ctx.queryParam("parent");
    if (parent != null && !parent.isEmpty()) {
      // Sluice's namespaces are one level: none has children
      CatalogAccess.zone(namespace(parent));
      respond(ctx, ListNamespacesResponse.builder().build());
      return;
    }
    Workspace open = workspace.get();
    CatalogAccess access = access(open, principal);
    ListNamespacesResponse all = CatalogHandlers.listNamespaces(catalog(open), Namespace.empty());
    List<TableName> tables = open.lake().listTables();
    ListNamespacesResponse.Builder visible = ListNamespacesResponse.builder();
    for (Namespace namespace : all.namespaces()) {
      if (namespace.length() == 1
          && Zone.fromName(namespace.level(0)).isPresent()
          && (RequestAuthentication.isAdmin(principal)
              || tables.stream()
                  .anyMatch(
                      table -> table.zone().equals(namespace.level(0)) && access.listed(table)))) {
        visible.add(namespace);
      }
    }
    respond(ctx, visible.build());
  }

  private void loadNamespace(Context ctx, Principal principal) {
    Namespace namespace = visibleNamespace(ctx, principal);
    respond(ctx, CatalogHandlers.loadNamespace(catalog(workspace.get()), namespace));
  }

  private void namespaceExists(Context ctx, Principal principal) {
    visibleNamespace(ctx, principal);
    ctx.status(204);
  }

  private void listTables(Context ctx, Principal principal) {
    Namespace namespace = visibleNamespace(ctx, principal);
    Workspace open = workspace.get();
    CatalogAccess access = access(open, principal);
    String pageSize = ctx.queryParam("pageSize");
    ListTablesResponse page =
        pageSize == null
            ? CatalogHandlers.listTables(catalog(open), namespace)
            : CatalogHandlers.listTables(
                catalog(open), namespace, ctx.queryParam("pageToken"), pageSize);
    ListTablesResponse.Builder visible =
        ListTablesResponse.builder().nextPageToken(page.nextPageToken());
    for (TableIdentifier identifier : page.identifiers()) {
      if (access.listed(CatalogAccess.tableName(identifier))) {
        visible.add(identifier);
      }
    }
    respond(ctx, visible.build());
  }

  private void loadTable(Context ctx, Principal principal) {
    Workspace open = workspace.get();
    TableIdentifier identifier = identifier(ctx);
    TableName name = CatalogAccess.tableName(identifier);
    CatalogAccess access = access(open, principal);
    LoadTableResponse response;
    try {
      Table table = served(open, access, identifier, name);
      response = CatalogHandlers.loadTable(catalog(open), identifier, SnapshotMode.ALL);
      if (!RequestAuthentication.isAdmin(principal)) {
        response =
            LoadTableResponse.builder()
                .withTableMetadata(mainBranchOnly(((BaseTable) table).operations().current()))
                .addAllConfig(response.config())
                .build();
      }
    } catch (dev.sluice.api.AccessDeniedException | NoSuchTableException e) {
      audit(open, AuditAction.REFUSED, principal, name, "load_table", "reason", e.getMessage());
      throw e;
    }
    audit(
        open,
        AuditAction.QUERY,
        principal,
        name,
        "load_table",
        "snapshot",
        snapshotId(response.tableMetadata()));
    respond(ctx, response);
  }

  /**
   * Whether a table exists, for a caller that holds a read grant on it (it is listed to it, so its
   * existence is no secret), even one it is not served raw.
   */
  private void tableExists(Context ctx, Principal principal) {
    Workspace open = workspace.get();
    TableIdentifier identifier = identifier(ctx);
    TableName name = CatalogAccess.tableName(identifier);
    access(open, principal).checkGranted(name);
    if (open.lake().findTable(name).isEmpty()) {
      throw new NoSuchTableException("Table does not exist: %s", identifier);
    }
    ctx.status(204);
  }

  private void createTable(Context ctx, Principal principal) {
    Namespace namespace = namespace(ctx.pathParam("namespace"));
    CatalogAccess.zone(namespace);
    CreateTableRequest request = IcebergJson.read(ctx.body(), CreateTableRequest.class);
    Workspace open = workspace.get();
    TableName name = CatalogAccess.tableName(TableIdentifier.of(namespace, request.name()));
    LoadTableResponse response =
        request.stageCreate()
            ? CatalogHandlers.stageTableCreate(catalog(open), namespace, request)
            : CatalogHandlers.createTable(catalog(open), namespace, request);
    audit(
        open, AuditAction.COMMIT, principal, name, "create_table", "staged", request.stageCreate());
    respond(ctx, response);
  }

  private void updateTable(Context ctx, Principal principal) {
    Workspace open = workspace.get();
    TableIdentifier identifier = identifier(ctx);
    TableName name = CatalogAccess.tableName(identifier);
    UpdateTableRequest request = IcebergJson.read(ctx.body(), UpdateTableRequest.class);
    LoadTableResponse response = CatalogHandlers.updateTable(catalog(open), identifier, request);
    audit(
        open,
        AuditAction.COMMIT,
        principal,
        name,
        "update_table",
        "snapshot",
        snapshotId(response.tableMetadata()));
    respond(ctx, response);
  }

  private void dropTable(Context ctx, Principal principal) {
    Workspace open = workspace.get();
    TableIdentifier identifier = identifier(ctx);
    TableName name = CatalogAccess.tableName(identifier);
    boolean purge = Boolean.parseBoolean(ctx.queryParam("purgeRequested"));
    if (purge) {
      CatalogHandlers.purgeTable(catalog(open), identifier);
    } else {
      CatalogHandlers.dropTable(catalog(open), identifier);
    }
    audit(open, AuditAction.COMMIT, principal, name, "drop_table", "purge", purge);
    ctx.status(204);
  }

  /**
   * The table, once the principal may read it as stored.
   *
   * @throws dev.sluice.api.AccessDeniedException see {@link CatalogAccess#checkServedRaw}
   * @throws NoSuchTableException when it does not exist (a view is not served)
   */
  private static Table served(
      Workspace open, CatalogAccess access, TableIdentifier identifier, TableName name) {
    // refused before looking: whether a table the caller may not read exists is not told
    access.checkGranted(name);
    Table table =
        open.lake()
            .findTable(name)
            .orElseThrow(
                () ->
                    new NoSuchTableException(
                        "Table does not exist: %s%s",
                        identifier,
                        open.lake().findView(name).isPresent()
                            ? " (it is a view: read it through the SQL endpoint)"
                            : ""));
    access.checkServedRaw(name, table);
    return table;
  }

  /**
   * The table's metadata as readers see it: its {@code main} branch and that branch's history only.
   * Sluice writes to an audit branch and moves {@code main} when the checks pass, so other branches
   * and snapshots hold data not (or not yet) published.
   */
  static TableMetadata mainBranchOnly(TableMetadata metadata) {
    Snapshot current = metadata.currentSnapshot();
    Set<Long> published =
        current == null
            ? Set.of()
            : new java.util.HashSet<>(SnapshotUtil.ancestorIds(current, metadata::snapshot));
    List<String> otherRefs = new ArrayList<>();
    metadata
        .refs()
        .keySet()
        .forEach(
            ref -> {
              if (!ref.equals(SnapshotRef.MAIN_BRANCH)) {
                otherRefs.add(ref);
              }
            });
    List<Long> unpublished = new ArrayList<>();
    for (Snapshot snapshot : metadata.snapshots()) {
      if (!published.contains(snapshot.snapshotId())) {
        unpublished.add(snapshot.snapshotId());
      }
    }
    if (otherRefs.isEmpty() && unpublished.isEmpty()) {
      return metadata;
    }
    TableMetadata.Builder builder = TableMetadata.buildFrom(metadata);
    otherRefs.forEach(builder::removeRef);
    if (!unpublished.isEmpty()) {
      builder.removeSnapshots(unpublished);
    }
    return builder.discardChanges().withMetadataLocation(metadata.metadataFileLocation()).build();
  }

  private Namespace visibleNamespace(Context ctx, Principal principal) {
    Namespace namespace = namespace(ctx.pathParam("namespace"));
    Zone zone = CatalogAccess.zone(namespace);
    Workspace open = workspace.get();
    if (RequestAuthentication.isAdmin(principal)) {
      return namespace;
    }
    CatalogAccess access = access(open, principal);
    boolean any =
        open.lake().listTables().stream()
            .anyMatch(table -> table.zone().equals(zone.namespace()) && access.listed(table));
    if (!any) {
      throw new org.apache.iceberg.exceptions.NoSuchNamespaceException(
          "Namespace does not exist: %s (or '%s' may read none of its tables)",
          namespace, principal.name());
    }
    return namespace;
  }

  private static Namespace namespace(String encoded) {
    return RESTUtil.decodeNamespace(RESTUtil.encodeString(encoded), NAMESPACE_SEPARATOR);
  }

  private static TableIdentifier identifier(Context ctx) {
    return TableIdentifier.of(namespace(ctx.pathParam("namespace")), ctx.pathParam("table"));
  }

  private static CatalogAccess access(Workspace open, Principal principal) {
    return new CatalogAccess(new QueryService(open).policy(), principal);
  }

  private static JdbcCatalog catalog(Workspace open) {
    return open.lake().catalog();
  }

  private static Long snapshotId(TableMetadata metadata) {
    Snapshot current = metadata == null ? null : metadata.currentSnapshot();
    return current == null ? null : current.snapshotId();
  }

  /** Records what the catalog served, refused or changed, as the caller, with one fact. */
  private static void audit(
      Workspace open,
      AuditAction action,
      Principal principal,
      TableName table,
      String operation,
      String key,
      Object value) {
    AuditEntry.Builder entry =
        open.audit()
            .entry(action)
            .table(table.toString())
            .detail("via", "iceberg_rest")
            .detail("operation", operation)
            .detail(key, value);
    if (!principal.owner()) {
      entry.detail("as", principal.name());
    }
    open.audit().record(entry.build());
  }

  private static void respond(Context ctx, Object response) {
    ctx.status(200).contentType("application/json").result(IcebergJson.write(response));
  }
}
