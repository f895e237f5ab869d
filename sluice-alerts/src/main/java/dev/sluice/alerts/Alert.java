package dev.sluice.alerts;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.AlertsConfig;
import java.time.Instant;
import java.util.Locale;

/**
 * One message of an incident: its opening ({@link Status#FIRING}) or its end ({@link
 * Status#RESOLVED}).
 *
 * @param project the project's name
 * @param rule the rule's name
 * @param trigger what the rule watches
 * @param subject what the incident is about: an asset, {@code asset: check}, or {@code run}
 * @param summary one line, e.g. {@code check not_null(id) failed on curated.orders}
 * @param detail more lines: the error, the failing rows, the run
 * @param runId the run that opened or resolved it, or null (a freshness tick)
 */
public record Alert(
    String project,
    String rule,
    AlertsConfig.Trigger trigger,
    String subject,
    Status status,
    String summary,
    String detail,
    String runId,
    Instant at) {
  public Alert {
    requireNonNull(project, "project is null");
    requireNonNull(rule, "rule is null");
    requireNonNull(trigger, "trigger is null");
    requireNonNull(subject, "subject is null");
    requireNonNull(status, "status is null");
    requireNonNull(summary, "summary is null");
    requireNonNull(detail, "detail is null");
    requireNonNull(at, "at is null");
  }

  /** Whether the incident opened or ended. */
  public enum Status {
    FIRING,
    RESOLVED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code [shop] FIRING: check not_null(id) failed on curated.orders}. */
  public String title() {
    return "[" + project + "] " + status.name() + ": " + summary;
  }
}
