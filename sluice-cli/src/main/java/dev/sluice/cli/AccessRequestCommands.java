package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.access.AccessRequestWorkflow;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AccessRequestStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice access request|approve|deny|list}: access requests, decided by a table's owner or a
 * holder of {@code grant} on it who did not ask, and the time-bound grants they give.
 */
final class AccessRequestCommands {
  private AccessRequestCommands() {}

  @Command(
      name = "request",
      description =
          "Ask for read access to a table (or some of its columns) for a while: recorded as pending"
              + " until its owner or a holder of grant on it approves or denies it.")
  static final class Request implements Callable<Integer> {
    @ParentCommand AccessCommand access;

    @Parameters(index = "0", paramLabel = "TABLE", description = "zone.table")
    String table;

    @Option(
        names = "--columns",
        split = ",",
        paramLabel = "COLUMN",
        description = "Only these columns, e.g. --columns id,email (default: every column).")
    List<String> columns = new ArrayList<>();

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "Why you need it; the approver reads it.")
    String reason;

    @Option(
        names = "--for",
        defaultValue = "30d",
        paramLabel = "PERIOD",
        description =
            "How long the grant lasts once approved, e.g. 30d, 12h, 90m (at most 365d; default:"
                + " ${DEFAULT-VALUE}).")
    String period;

    @Option(
        names = "--as",
        paramLabel = "PRINCIPAL",
        description =
            "Ask as this user or group of policies.yaml (default: the user running sluice).")
    String as;

    @Override
    public Integer call() {
      Output output = access.output();
      java.time.Duration parsed = AccessRequestWorkflow.period(period);
      try (Workspace workspace = access.workspace()) {
        AccessRequest request =
            new AccessRequestWorkflow(workspace)
                .request(principal(as), table, columns, reason, parsed);
        if (access.json()) {
          output.json(json(request, workspace.clock().instant()));
          return ExitCodes.OK;
        }
        output.line(
            "access request "
                + request.id()
                + ": "
                + request.principal()
                + " asks to read "
                + what(request)
                + " for "
                + period(request));
        output.message(
            "Pending: the table's owner, or a principal whose role holds grant on it, decides with"
                + " 'sluice access approve "
                + request.id()
                + "' or 'sluice access deny "
                + request.id()
                + "'.");
        return ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "approve",
      description =
          "Approve a pending access request, as the table's owner or a holder of grant on it who"
              + " did not ask: its principal reads the table from now until its period ends.")
  static final class Approve extends Decision {
    Approve() {
      super(true);
    }
  }

  @Command(
      name = "deny",
      description =
          "Deny a pending access request, as the table's owner or a holder of grant on it who did"
              + " not ask.")
  static final class Deny extends Decision {
    Deny() {
      super(false);
    }
  }

  /** What approving and denying take: the request, who decides, and why. */
  abstract static class Decision implements Callable<Integer> {
    private final boolean approve;

    @ParentCommand AccessCommand access;

    @Parameters(index = "0", paramLabel = "ID", description = "The request's number.")
    long id;

    @Option(
        names = "--as",
        paramLabel = "PRINCIPAL",
        description = "Decide as this user of policies.yaml (default: the user running sluice).")
    String as;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded).")
    String reason;

    Decision(boolean approve) {
      this.approve = approve;
    }

    @Override
    public Integer call() {
      return decide(access, id, as, reason, approve);
    }
  }

  @Command(
      name = "list",
      description =
          "The access requests, oldest first, with their status (an approved request whose"
              + " period has ended is expired).")
  static final class ListRequests implements Callable<Integer> {
    @ParentCommand AccessCommand access;

    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "Only pending, approved, denied or expired requests.")
    String status;

    @Override
    public Integer call() {
      Optional<AccessRequestStatus> wanted;
      try {
        wanted = Optional.ofNullable(status).map(AccessRequestStatus::fromLabel);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      try (Workspace workspace = access.workspace()) {
        Instant now = workspace.clock().instant();
        return access.printList(
            new AccessRequestWorkflow(workspace).list(wanted),
            request -> json(request, now),
            wanted.isPresent()
                ? "No " + wanted.get().label() + " access requests."
                : "No access requests yet ('sluice access request TABLE --reason ...' asks).",
            List.of("id", "status", "principal", "table", "for", "decided by", "until", "reason"),
            request -> {
              Optional<AccessRequest.Decision> decision = request.decision();
              return List.of(
                  Long.toString(request.id()),
                  request.status(now).label(),
                  request.principal(),
                  what(request),
                  period(request),
                  decision.map(AccessRequest.Decision::by).orElse("-"),
                  decision
                      .map(d -> d.expiresAt() == null ? "-" : d.expiresAt().toString())
                      .orElse("-"),
                  request.reason());
            });
      }
    }
  }

  private static int decide(
      AccessCommand access, long id, String as, String reason, boolean approve) {
    Output output = access.output();
    try (Workspace workspace = access.workspace()) {
      AccessRequestWorkflow workflow = new AccessRequestWorkflow(workspace);
      Optional<String> because = Optional.ofNullable(reason);
      AccessRequest decided =
          approve
              ? workflow.approve(id, principal(as), because)
              : workflow.deny(id, principal(as), because);
      if (access.json()) {
        output.json(json(decided, workspace.clock().instant()));
        return ExitCodes.OK;
      }
      AccessRequest.Decision decision = decided.decision().orElseThrow();
      output.line(
          "access request "
              + id
              + " "
              + (approve ? "approved" : "denied")
              + " by "
              + decision.by()
              + ": "
              + decided.principal()
              + (approve
                  ? " reads " + what(decided) + " until " + decision.expiresAt()
                  : " does not read " + what(decided)));
      return ExitCodes.OK;
    }
  }

  /** The principal named by --as, else the user running sluice. */
  private static String principal(String as) {
    return as != null ? as : Workspace.localPrincipal();
  }

  private static String what(AccessRequest request) {
    return request.table()
        + (request.columns().isEmpty() ? "" : " (" + String.join(", ", request.columns()) + ")");
  }

  private static String period(AccessRequest request) {
    return AccessRequestWorkflow.periodText(request.period());
  }

  static Map<String, Object> json(AccessRequest request, Instant now) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", request.id());
    json.put("status", request.status(now).label());
    json.put("principal", request.principal());
    json.put("table", request.table().toString());
    json.put("columns", request.columns());
    json.put("reason", request.reason());
    json.put("period", period(request));
    json.put("requestedAt", request.requestedAt().toString());
    Optional<AccessRequest.Decision> decision = request.decision();
    json.put("decidedBy", decision.map(AccessRequest.Decision::by).orElse(null));
    json.put("decidedAt", decision.map(d -> d.at().toString()).orElse(null));
    json.put("decisionReason", decision.flatMap(AccessRequest.Decision::reason).orElse(null));
    json.put(
        "expiresAt",
        decision.map(d -> d.expiresAt() == null ? null : d.expiresAt().toString()).orElse(null));
    return json;
  }
}
