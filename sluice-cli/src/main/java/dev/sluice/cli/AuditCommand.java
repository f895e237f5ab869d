package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.AuditVerification;
import dev.sluice.core.state.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "audit",
    description =
        "The audit log: queries, runs, commits, policy changes, access requests and refusals."
            + " 'audit verify' checks that no record was changed, removed or re-ordered.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand extends BaseCommand {
  /** Built on first use only: picocli creates this command for every invocation (startup). */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private static final Pattern AGO = Pattern.compile("(\\d+)\\s*([smhdw])");

  @Option(names = "--principal", paramLabel = "P", description = "Only this principal's records.")
  String principal;

  @Option(
      names = "--table",
      paramLabel = "T",
      description = "Only records concerning this table (zone.table).")
  String table;

  @Option(
      names = "--since",
      paramLabel = "D",
      description =
          "Only records from this time on: a date (2026-12-01), a time (2026-12-01T10:00:00Z) or"
              + " an age (30m, 24h, 7d, 2w).")
  String since;

  @Option(
      names = "--action",
      paramLabel = "A",
      description =
          "Only records of this action: query, run, commit, policy_change, access_request,"
              + " access_decision, refused, maintenance.")
  String action;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "0",
      description = "At most this many records, the newest (default: all).")
  int limit;

  @Override
  public Integer call() {
    AuditFilter filter =
        AuditFilter.all()
            .withPrincipal(principal)
            .withTable(table)
            .withSince(since == null ? null : parseSince(since, clock()))
            .withAction(action == null ? null : parseAction(action))
            .withLimit(checkedLimit(limit));
    try (RunStore store = RunsCommand.openStore(loadProject())) {
      return printList(
          store.audit().records(filter),
          AuditCommand::toJson,
          "No audit records match.",
          List.of("seq", "at", "principal", "action", "tables", "details"),
          record ->
              List.of(
                  Long.toString(record.sequence()),
                  record.at().toString(),
                  record.principal(),
                  record.action().label(),
                  String.join(", ", record.tables()),
                  record.details()));
    }
  }

  private static int checkedLimit(int limit) {
    if (limit < 0) {
      throw new InvalidInputException("--limit must not be negative: " + limit);
    }
    return limit;
  }

  private static AuditAction parseAction(String label) {
    try {
      return AuditAction.fromLabel(label);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--action: " + e.getMessage(), e);
    }
  }

  /** A date, a time or an age ({@code 7d}) before now. */
  static Instant parseSince(String text, Clock clock) {
    String value = text.strip();
    Matcher ago = AGO.matcher(value.toLowerCase(Locale.ROOT));
    if (ago.matches()) {
      long amount = Long.parseLong(ago.group(1));
      Duration duration =
          switch (ago.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofDays(7 * amount);
          };
      return clock.instant().minus(duration);
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        throw new InvalidInputException(
            "--since '"
                + text
                + "' is not a date, a time or an age: write 2026-12-01, 2026-12-01T10:00:00Z,"
                + " or an age such as 24h or 7d");
      }
    }
  }

  private static Map<String, Object> toJson(AuditRecord record) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("sequence", record.sequence());
    json.put("at", record.at().toString());
    json.put("principal", record.principal());
    json.put("action", record.action().label());
    json.put("tables", record.tables());
    json.put("columns", record.columns());
    try {
      json.put("details", Json.MAPPER.readTree(record.details()));
    } catch (JsonProcessingException e) {
      json.put("details", record.details());
    }
    json.put("previous_hash", record.previousHash());
    json.put("hash", record.hash());
    return json;
  }

  @Command(
      name = "verify",
      description =
          "Check the audit log's hash chain; names the first changed, removed or re-ordered"
              + " record and exits with 5 when there is one.")
  static final class Verify implements java.util.concurrent.Callable<Integer> {
    @ParentCommand AuditCommand audit;

    @Override
    public Integer call() {
      try (RunStore store = RunsCommand.openStore(audit.loadProject())) {
        AuditVerification result = store.audit().verify();
        int code = result.intact() ? ExitCodes.OK : ExitCodes.AUDIT_BROKEN;
        if (audit.json()) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("intact", result.intact());
          json.put("recordsChecked", result.recordsChecked());
          json.put("firstBadRecord", result.firstBadSequence());
          json.put("problem", result.problem());
          if (!result.intact()) {
            json.put("error", "The audit log was tampered with: " + result.problem());
            json.put("exitCode", code);
          }
          audit.output().json(json);
        } else if (result.intact()) {
          audit.output().line("intact: " + result.recordsChecked() + " records, chain unbroken");
        } else {
          audit
              .output()
              .line("broken at record " + result.firstBadSequence() + ": " + result.problem());
          audit
              .output()
              .message(
                  "The audit log was tampered with: records from "
                      + result.firstBadSequence()
                      + " on cannot be trusted. Compare them with a backup of the state"
                      + " database.");
        }
        return code;
      }
    }
  }
}
