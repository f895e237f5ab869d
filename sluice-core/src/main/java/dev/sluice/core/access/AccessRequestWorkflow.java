package dev.sluice.core.access;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Suggestions;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AccessRequestStatus;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.core.state.RunStore;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.governance.TableAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Access requests: a principal of policies.yaml asks to read a table (or some of its columns) for a
 * while, with a reason; the table's owner, or a principal whose role holds {@code grant} (or {@code
 * admin}) on it, approves or denies: a user, never the one who asked nor a member of the group that
 * asked (separation of duties). An approved request is a time-bound grant: the {@link QueryService}
 * adds it to the grants of policies.yaml, with the same masks and row filters, until its period
 * ends, and from then on it allows nothing. Every request and decision, and every refused decision,
 * is in the audit log; a request or decision and its audit record are written in one transaction.
 *
 * <p>The time comes from the workspace's clock.
 */
public final class AccessRequestWorkflow {
  /** How long a grant lasts when the request does not say. */
  public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

  /** The longest a time-bound grant may last: a longer need belongs in policies.yaml. */
  public static final Duration MAX_PERIOD = Duration.ofDays(365);

  private static final Duration MIN_PERIOD = Duration.ofMinutes(1);

  private final Workspace workspace;
  private final QueryService queries;

  public AccessRequestWorkflow(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.queries = new QueryService(workspace);
  }

  /**
   * Reads a period such as {@code 30d}, {@code 12h} or {@code 90m} (ISO 8601 too).
   *
   * @throws InvalidInputException when it is not one, or not between a minute and 365 days
   */
  public static Duration period(String text) {
    requireNonNull(text, "text is null");
    Optional<Duration> parsed = ConnectorOption.parseDuration(text);
    if (parsed.isEmpty() || parsed.get().isNegative() || parsed.get().isZero()) {
      throw new InvalidInputException(
          "--for '" + text + "' is not a period: write e.g. 30d, 12h or 90m");
    }
    Duration period = parsed.get();
    if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0) {
      throw new InvalidInputException(
          "--for '"
              + text
              + "' is out of range: a time-bound grant lasts from 1m to 365d; declare a longer"
              + " need as a grant in policies.yaml");
    }
    return period;
  }

  /**
   * Records a pending request of {@code principalName} to read {@code table} (only {@code columns},
   * or every column when empty) for {@code period}.
   *
   * @throws InvalidInputException for an unknown principal, table or column (with the closest
   *     name), a blank reason, or a request for what the principal already reads
   */
  public AccessRequest request(
      String principalName,
      String tableName,
      List<String> columns,
      String reason,
      Duration period) {
    requireNonNull(columns, "columns is null");
    requireNonNull(period, "period is null");
    if (reason == null || reason.isBlank()) {
      throw new InvalidInputException(
          "An access request needs a reason: say why with --reason \"...\" (the approver reads"
              + " it)");
    }
    Principal principal = queries.principal(principalName);
    TableName table = projectTable(tableName);
    List<String> stored = TableColumns.of(workspace.project(), workspace.lake(), table);
    List<String> asked = columns(table, columns, stored);
    AccessPolicy policy = queries.policy();
    TableAccess current = policy.access(principal, table, stored);
    if (current.readable() && readsAll(current, asked)) {
      throw new InvalidInputException(
          principal.name()
              + " already reads "
              + (asked.isEmpty() ? table.toString() : table + " (" + String.join(", ", asked) + ")")
              + " through "
              + current.grants().get(0).describe()
              + " ("
              + current.grants().get(0).location()
              + "): nothing to request ('sluice access explain "
              + principal.name()
              + " "
              + table
              + "' shows its masks and row filters, which a request does not lift)");
    }
    Instant now = workspace.clock().instant();
    RunStore store = workspace.runStore();
    return store.inOneTransaction(
        "record an access request",
        () -> {
          AccessRequest request =
              store
                  .accessRequests()
                  .create(principal.name(), table, asked, reason.strip(), period, now);
          AuditEntry.Builder entry =
              AuditEntry.builder(AuditAction.ACCESS_REQUEST, principal.name(), now)
                  .detail("request_id", request.id())
                  .detail("reason", request.reason())
                  .detail("period", periodText(period))
                  .detail("local_user", workspace.audit().principal());
          entry.table(table.toString());
          asked.forEach(column -> entry.column(table.toString(), column));
          store.audit().append(entry.build());
          return request;
        });
  }

  /**
   * Approves a pending request as {@code deciderName}: its grant holds from now for its period.
   *
   * @throws InvalidInputException for an unknown request or principal, or a request decided already
   * @throws AccessDeniedException when the decider asked itself, or is neither the table's owner
   *     nor holds {@code grant} on it
   */
  public AccessRequest approve(long id, String deciderName, Optional<String> reason) {
    return decide(id, true, deciderName, reason);
  }

  /**
   * Denies a pending request as {@code deciderName}.
   *
   * @throws InvalidInputException for an unknown request or principal, or a request decided already
   * @throws AccessDeniedException when the decider asked itself, or is neither the table's owner
   *     nor holds {@code grant} on it
   */
  public AccessRequest deny(long id, String deciderName, Optional<String> reason) {
    return decide(id, false, deciderName, reason);
  }

  /** The requests, oldest first, with their status now; only those of {@code status} if given. */
  public List<AccessRequest> list(Optional<AccessRequestStatus> status) {
    requireNonNull(status, "status is null");
    Instant now = workspace.clock().instant();
    return workspace.runStore().accessRequests().all().stream()
        .filter(request -> status.isEmpty() || request.status(now) == status.get())
        .toList();
  }

  private AccessRequest decide(
      long id, boolean approve, String deciderName, Optional<String> reason) {
    requireNonNull(deciderName, "deciderName is null");
    requireNonNull(reason, "reason is null");
    RunStore store = workspace.runStore();
    AccessRequest request = store.accessRequests().find(id).orElseThrow(() -> unknown(id, store));
    if (request.decision().isPresent()) {
      throw new InvalidInputException(alreadyDecided(request));
    }
    Principal decider = queries.principal(deciderName);
    AccessPolicy policy = queries.policy();
    String verb = approve ? "approve" : "deny";
    String mayNot = decider.name() + " may not " + verb + " access request " + id;
    if (policy.policies().user(decider.name()).isEmpty()) {
      // a group holds its members: deciding as one would let a member who asked decide
      throw refused(
          decider,
          request,
          mayNot
              + ": it is a group, and a request is decided by a user (--as a user of"
              + " policies.yaml)");
    }
    if (decider.name().equals(request.principal())
        || policy.groupsOf(decider.name()).contains(request.principal())) {
      throw refused(
          decider,
          request,
          mayNot
              + ": "
              + (decider.name().equals(request.principal())
                  ? "it is " + decider.name() + "'s own request"
                  : "it is the request of "
                      + request.principal()
                      + ", a group of "
                      + decider.name())
              + " (separation of duties: another owner of "
              + request.table()
              + ", or a holder of grant on it, decides)");
    }
    Project project = workspace.project();
    Optional<String> owner = TableOwners.of(project, request.table());
    Optional<String> right = policy.decisionRight(decider, request.table(), owner);
    if (right.isEmpty()) {
      throw refused(
          decider,
          request,
          mayNot
              + " for "
              + request.table()
              + ": only its owner ("
              + owner.orElse("it declares none")
              + ") or a principal whose role holds grant or admin on it may decide, and "
              + (decider.roles().isEmpty()
                  ? decider.name() + " holds no role"
                  : "no role of "
                      + decider.name()
                      + " ("
                      + String.join(", ", new TreeSet<>(decider.roles()))
                      + ") does"));
    }
    Instant now = workspace.clock().instant();
    Optional<String> because = reason.map(String::strip).filter(text -> !text.isEmpty());
    return store.inOneTransaction(
        verb + " access request " + id,
        () -> {
          AccessRequest decided =
              store
                  .accessRequests()
                  .decide(id, approve, decider.name(), now, because)
                  .orElseThrow(
                      () ->
                          new InvalidInputException(
                              store
                                  .accessRequests()
                                  .find(id)
                                  .map(AccessRequestWorkflow::alreadyDecided)
                                  .orElse("Access request " + id + " no longer exists")));
          AccessRequest.Decision decision = decided.decision().orElseThrow();
          AuditEntry.Builder entry =
              AuditEntry.builder(AuditAction.ACCESS_DECISION, decider.name(), now)
                  .detail("request_id", id)
                  .detail("decision", approve ? "approved" : "denied")
                  .detail("requester", decided.principal())
                  .detail("right", right.get())
                  .detail("reason", because.orElse(null))
                  .detail(
                      "expires_at",
                      decision.expiresAt() == null ? null : decision.expiresAt().toString())
                  .detail("local_user", workspace.audit().principal());
          entry.table(decided.table().toString());
          decided.columns().forEach(column -> entry.column(decided.table().toString(), column));
          store.audit().append(entry.build());
          return decided;
        });
  }

  private AccessDeniedException refused(Principal decider, AccessRequest request, String message) {
    workspace
        .audit()
        .record(
            AuditEntry.builder(AuditAction.REFUSED, decider.name(), workspace.clock().instant())
                .table(request.table().toString())
                .detail("request_id", request.id())
                .detail("reason", message)
                .detail("local_user", workspace.audit().principal())
                .build());
    return new AccessDeniedException(message);
  }

  private static InvalidInputException unknown(long id, RunStore store) {
    List<AccessRequest> all = store.accessRequests().all();
    return new InvalidInputException(
        "No access request "
            + id
            + (all.isEmpty()
                ? ": there are none yet ('sluice access request TABLE --reason ...' asks)"
                : ": the requests are numbered "
                    + all.get(0).id()
                    + " to "
                    + all.get(all.size() - 1).id()
                    + " ('sluice access list' shows them)"));
  }

  private static String alreadyDecided(AccessRequest request) {
    AccessRequest.Decision decision = request.decision().orElseThrow();
    return "Access request "
        + request.id()
        + " was "
        + (decision.approved() ? "approved" : "denied")
        + " already, by "
        + decision.by()
        + " at "
        + decision.at()
        + ": a decision is final; ask again with 'sluice access request'";
  }

  private TableName projectTable(String text) {
    requireNonNull(text, "table is null");
    List<String> known =
        workspace.project().tables().keySet().stream().map(TableName::toString).toList();
    TableName table = TableName.parse(text.strip().toLowerCase(Locale.ROOT));
    if (!workspace.project().tables().containsKey(table)) {
      throw new InvalidInputException(
          "Unknown table '"
              + text
              + "': "
              + Suggestions.closest(table.toString(), known)
                  .map(closest -> "did you mean " + closest + "?")
                  .orElse("'sluice tables' lists the project's tables"));
    }
    return table;
  }

  private static List<String> columns(TableName table, List<String> asked, List<String> stored) {
    if (asked.isEmpty()) {
      return List.of();
    }
    if (stored.isEmpty()) {
      throw new InvalidInputException(
          "The columns of "
              + table
              + " are not known yet (it has not been built and declares none): build it with"
              + " 'sluice run', or ask for the whole table");
    }
    List<String> columns = new ArrayList<>();
    for (String column : new LinkedHashSet<>(asked)) {
      String name = column.strip();
      Optional<String> match = stored.stream().filter(name::equalsIgnoreCase).findFirst();
      if (match.isEmpty()) {
        throw new InvalidInputException(
            "Unknown column '"
                + name
                + "' of "
                + table
                + ": "
                + Suggestions.closest(name, stored)
                    .map(closest -> "did you mean " + closest + "?")
                    .orElse("its columns are " + String.join(", ", stored)));
      }
      columns.add(match.get());
    }
    return columns;
  }

  private static boolean readsAll(TableAccess access, List<String> asked) {
    if (asked.isEmpty()) {
      return access.deniedColumns().isEmpty();
    }
    return access.columns().containsAll(asked);
  }

  /** A period as people write it: {@code 30d}, {@code 12h}, {@code 90m}. */
  public static String periodText(Duration period) {
    long seconds = period.toSeconds();
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }
}
