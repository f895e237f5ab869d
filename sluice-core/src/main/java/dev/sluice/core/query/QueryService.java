package dev.sluice.core.query;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.core.Workspace;
import dev.sluice.core.cost.ResourceMeter;
import dev.sluice.core.project.Suggestions;
import dev.sluice.core.run.Relations;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.core.state.QueryUsage;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.governance.TableAccess;
import dev.sluice.governance.TimeBoundGrant;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: every query by a person or tool resolves the caller, the lake tables it names, the
 * caller's grants, column masks and row filters ({@code policies.yaml}), reads the tables at the
 * requested version and runs on the engine. Only one SELECT that reads the project's tables is
 * accepted, as DuckDB's own parser reads it ({@link SqlSandbox}): no files, URLs, settings or other
 * statements. The project's owner ({@link Principal#projectOwner()}) reads every table as stored;
 * any other principal reads through {@link GovernedRelations}.
 */
public final class QueryService {
  private static final Logger log = LoggerFactory.getLogger(QueryService.class);

  private final Workspace workspace;

  public QueryService(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * The project's policies, with the classification of its columns (declared and inherited) and the
   * time-bound grants of the approved access requests that hold now (by the workspace's clock).
   * When the state database cannot be read, the time-bound grants are left out (so they allow
   * nothing) and a warning is logged: the declared policies still hold.
   */
  public AccessPolicy policy() {
    AccessPolicy declared =
        new AccessPolicy(workspace.project().policies(), workspace.classification());
    if (!declared.policies().declared()) {
      return declared;
    }
    Instant now = workspace.clock().instant();
    List<TimeBoundGrant> grants = new ArrayList<>();
    try {
      for (AccessRequest request : workspace.runStore().accessRequests().approvedAt(now)) {
        AccessRequest.Decision decision = request.decision().orElseThrow();
        grants.add(
            new TimeBoundGrant(
                request.id(),
                request.principal(),
                request.table(),
                request.columns(),
                decision.expiresAt(),
                decision.by()));
      }
    } catch (SluiceException e) {
      log.warn(
          "Cannot read the time-bound grants of access requests, so none applies: {}",
          e.getMessage());
      return declared;
    }
    return declared.withTimeBoundGrants(grants, now);
  }

  /**
   * The principal a user or group name stands for.
   *
   * @throws InvalidInputException when policies.yaml declares no such user or group, naming the
   *     closest one
   */
  public Principal principal(String name) {
    AccessPolicy policy = policy();
    return policy
        .principal(name)
        .orElseThrow(
            () -> {
              List<String> known = policy.principalNames();
              String hint;
              if (!policy.policies().declared()) {
                hint = "the project has no policies.yaml: declare users, roles and grants there";
              } else if (known.isEmpty()) {
                hint = "policies.yaml declares no users or groups";
              } else {
                hint =
                    Suggestions.closest(name, known)
                        .map(closest -> "did you mean " + closest + "?")
                        .orElse("the principals are " + String.join(", ", new TreeSet<>(known)));
              }
              return new InvalidInputException("Unknown principal '" + name + "': " + hint);
            });
  }

  /**
   * Runs a read query as the project's owner, against the tables as of {@code readPoint}.
   *
   * @throws InvalidInputException for a statement that is not a single SELECT of the project's
   *     tables
   * @throws QueryException for a table that does not exist, or when the engine rejects the query
   */
  public QueryResult query(String sql, ReadPoint readPoint, int maxRows) {
    return query(sql, readPoint, maxRows, Principal.projectOwner());
  }

  /**
   * Runs a read query as {@code principal}: it sees only the tables and columns it is granted,
   * masked, and only the rows its filters allow.
   *
   * @throws AccessDeniedException naming the table (and privilege) the principal may not read
   * @throws InvalidInputException for a statement that is not a single SELECT of the project's
   *     tables
   * @throws QueryException for a table that does not exist, or when the engine rejects the query
   */
  public QueryResult query(String sql, ReadPoint readPoint, int maxRows, Principal principal) {
    return query(sql, List.of(), readPoint, maxRows, principal);
  }

  /**
   * Runs a read query with values for its positional parameters ({@code ?}) as {@code principal},
   * as {@link #query(String, ReadPoint, int, Principal)} does: the engine binds the values, which
   * never become SQL text.
   *
   * @throws AccessDeniedException naming the table (and privilege) the principal may not read
   * @throws InvalidInputException for a statement that is not a single SELECT of the project's
   *     tables
   * @throws QueryException for a table that does not exist, when the engine rejects the query, or a
   *     parameter value
   */
  public QueryResult query(
      String sql, List<Object> parameters, ReadPoint readPoint, int maxRows, Principal principal) {
    requireNonNull(sql, "sql is null");
    requireNonNull(parameters, "parameters is null");
    requireNonNull(principal, "principal is null");
    String statement = sql.strip();
    Instant started = workspace.clock().instant();
    ResourceMeter.Measurement measurement = ResourceMeter.process().start();
    long[] scanned = new long[2];
    Relations.ReadListener reads =
        (files, bytes) -> {
          synchronized (scanned) {
            scanned[0] += files;
            scanned[1] += bytes;
          }
        };
    try (EngineSession session = workspace.engine().openSession()) {
      Registered registered = register(session, statement, readPoint, principal, reads);
      if (principal.owner()) {
        QueryResult result = session.query(statement, parameters, maxRows);
        AuditEntry.Builder entry = entry(AuditAction.QUERY, principal, statement);
        registered.tables().forEach(table -> entry.table(table.toString()));
        audit(entry.detail("rows", result.rows().size()).build());
        recordUsage(principal, registered, started, measurement, scanned, result);
        return result;
      }
      QueryResult result;
      try {
        result = session.query(statement, parameters, maxRows);
      } catch (QueryException e) {
        throw withDeniedColumns(e, registered.applied());
      }
      audit(queried(principal, statement, registered.applied(), result));
      recordUsage(principal, registered, started, measurement, scanned, result);
      return result;
    } finally {
      measurement.stop();
    }
  }

  /**
   * Records what a query consumed (cost accounting): the files and bytes Iceberg planned for it,
   * its CPU time and wall time. A failure to record is logged: the answer is not withheld for it.
   */
  private void recordUsage(
      Principal principal,
      Registered registered,
      Instant started,
      ResourceMeter.Measurement measurement,
      long[] scanned,
      QueryResult result) {
    measurement.stop();
    Instant finished = workspace.clock().instant();
    try {
      long files;
      long bytes;
      synchronized (scanned) {
        files = scanned[0];
        bytes = scanned[1];
      }
      workspace
          .runStore()
          .costs()
          .recordQuery(
              new QueryUsage(
                  finished,
                  // who ran it, as the audit log names them: the local user or the caller
                  principal.owner() ? workspace.audit().principal() : principal.name(),
                  registered.tables().stream().map(TableName::toString).sorted().toList(),
                  files,
                  bytes,
                  measurement.cpuMillis(),
                  Math.max(0, java.time.Duration.between(started, finished).toMillis()),
                  result.rows().size()));
    } catch (RuntimeException e) {
      log.warn("Cannot record the usage of a query: {}", e.getMessage());
    }
  }

  /**
   * What a read query would return to {@code principal} (its columns as the principal sees them,
   * masked) and the types of its parameters, without running it: for clients that prepare a
   * statement before they run it. The same checks apply as for {@link #query(String, List,
   * ReadPoint, int, Principal)}, and a refusal is audited; a description reads no data, so it is
   * not audited as a query.
   *
   * @throws AccessDeniedException naming the table (and privilege) the principal may not read
   * @throws InvalidInputException for a statement that is not a single SELECT of the project's
   *     tables
   * @throws QueryException for a table that does not exist, or when the engine rejects the query
   */
  public StatementDescription prepare(String sql, Principal principal) {
    requireNonNull(sql, "sql is null");
    requireNonNull(principal, "principal is null");
    String statement = sql.strip();
    try (EngineSession session = workspace.engine().openSession()) {
      Registered registered =
          register(session, statement, ReadPoint.main(), principal, Relations.ReadListener.NONE);
      try {
        return session.prepare(statement);
      } catch (QueryException e) {
        throw withDeniedColumns(e, registered.applied());
      }
    }
  }

  /** The tables a statement reads, and how each was registered for a principal who is not owner. */
  private record Registered(Set<TableName> tables, Map<TableName, TableAccess> applied) {}

  /**
   * Checks a statement with the sandbox, and registers the tables it reads in {@code session}: as
   * stored for the owner, else with the principal's grants, masks and row filters. Refusals are
   * audited.
   */
  private Registered register(
      EngineSession session,
      String statement,
      ReadPoint readPoint,
      Principal principal,
      Relations.ReadListener reads) {
    Set<TableName> tables;
    try {
      tables = SqlSandbox.checkQuery(session, statement, workspace.project().schemas());
    } catch (SqlRejectedException e) {
      audit(refusal(principal, statement, e.getMessage()).build());
      throw e;
    }
    // an engine that reads object storage itself (a Spark cluster) is handed the data files at
    // their own locations in the warehouse, never Sluice's local copies
    Lake lake = workspace.lake().readBy(session);
    for (TableName table : tables) {
      if (lake.findTable(table).isEmpty() && lake.findView(table, readPoint).isEmpty()) {
        throw missingTable(table, lake.listTables());
      }
    }
    if (principal.owner()) {
      new Relations(lake, session, readPoint, reads)
          .registerTables(tables, FilePruning.filterFor(statement));
      return new Registered(tables, Map.of());
    }
    GovernedRelations relations =
        new GovernedRelations(lake, session, readPoint, policy(), principal, reads);
    try {
      relations.registerAll(tables);
    } catch (AccessDeniedException e) {
      AuditEntry.Builder entry = refusal(principal, statement, e.getMessage());
      tables.forEach(table -> entry.table(table.toString()));
      audit(entry.build());
      throw e;
    }
    return new Registered(tables, relations.applied());
  }

  /** The audit record of a governed query: what was read, how it was masked and filtered. */
  private AuditEntry queried(
      Principal principal,
      String statement,
      Map<TableName, TableAccess> applied,
      QueryResult result) {
    AuditEntry.Builder entry = entry(AuditAction.QUERY, principal, statement);
    Map<String, Object> masks = new java.util.TreeMap<>();
    Map<String, Object> filters = new java.util.TreeMap<>();
    applied.forEach(
        (table, access) -> {
          entry.table(table.toString());
          access.columns().forEach(column -> entry.column(table.toString(), column));
          access
              .masks()
              .forEach((column, mask) -> masks.put(table + "." + column, mask.kind().label()));
          if (access.filtered()) {
            filters.put(table.toString(), access.predicate());
          }
        });
    return entry
        .detail("masks", masks)
        .detail("row_filters", filters)
        .detail("rows", result.rows().size())
        .build();
  }

  private AuditEntry.Builder refusal(Principal principal, String statement, String reason) {
    return entry(AuditAction.REFUSED, principal, statement).detail("reason", reason);
  }

  /** An entry by the workspace's principal, reading as {@code principal} unless the owner. */
  private AuditEntry.Builder entry(AuditAction action, Principal principal, String statement) {
    AuditEntry.Builder entry =
        workspace.audit().entry(action).detail("query_hash", sha256(statement));
    if (!principal.owner()) {
      entry.detail("as", principal.name());
    }
    return entry;
  }

  private void audit(AuditEntry entry) {
    workspace.audit().record(entry);
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }

  /**
   * What {@code principal} may read of {@code table} and why: grants, columns, masks, filters.
   *
   * @throws QueryException when the table does not exist
   */
  public TableAccess explain(Principal principal, TableName table) {
    Lake lake = workspace.lake();
    if (lake.findTable(table).isEmpty() && lake.findView(table).isEmpty()) {
      throw missingTable(table, lake.listTables());
    }
    try (EngineSession session = workspace.engine().openSession()) {
      return new GovernedRelations(
              lake.readBy(session),
              session,
              ReadPoint.main(),
              policy(),
              principal,
              Relations.ReadListener.NONE)
          .access(table);
    }
  }

  /** The engine's error, with the columns the principal may not read named. */
  private static QueryException withDeniedColumns(
      QueryException error, Map<TableName, TableAccess> applied) {
    StringBuilder denied = new StringBuilder();
    applied.forEach(
        (table, access) -> {
          if (!access.deniedColumns().isEmpty()) {
            denied
                .append(denied.length() == 0 ? "" : "; ")
                .append(table)
                .append(": ")
                .append(String.join(", ", access.deniedColumns()));
          }
        });
    if (denied.length() == 0) {
      return error;
    }
    return new QueryException(
        error.getMessage()
            + " (columns not granted to "
            + applied.values().iterator().next().principal().name()
            + ", so not readable: "
            + denied
            + ")",
        error);
  }

  /** "Table raw.ordrs does not exist; did you mean raw.orders?", naming Sluice's own tables. */
  static QueryException missingTable(TableName table, List<TableName> existing) {
    Optional<String> closest =
        Suggestions.closest(table.toString(), existing.stream().map(TableName::toString).toList());
    String hint;
    if (closest.isPresent()) {
      hint = "did you mean " + closest.get() + "?";
    } else if (existing.isEmpty()) {
      hint = "the warehouse has no tables yet: run 'sluice run' to build them";
    } else {
      hint = "'sluice tables' lists the tables";
    }
    return new QueryException("Table " + table + " does not exist; " + hint, null);
  }
}
