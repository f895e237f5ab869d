package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;

/**
 * Something about spending that the alert rules with {@code on: budget} hear of.
 *
 * @param kind what happened
 * @param subject what it is about: {@code owner finance-data}, {@code tag marketing}, or an asset
 * @param period the calendar month (UTC) it happened in, e.g. {@code 2026-12}: an incident is sent
 *     once per subject, kind and month
 * @param summary one line
 * @param detail the figures behind it
 * @param runId the run concerned, or null
 */
public record BudgetEvent(
    Kind kind,
    String subject,
    String period,
    String summary,
    String detail,
    String runId,
    Instant at) {
  public BudgetEvent {
    requireNonNull(kind, "kind is null");
    requireNonNull(subject, "subject is null");
    requireNonNull(period, "period is null");
    requireNonNull(summary, "summary is null");
    requireNonNull(detail, "detail is null");
    requireNonNull(at, "at is null");
  }

  /** What happened. */
  public enum Kind {
    /** The month's spending reached the budget's warning share. */
    WARNING,
    /** The month's spending reached the budget's amount. */
    EXCEEDED,
    /** A run was refused before it started: it would have exceeded a hard budget. */
    REFUSED,
    /** A step cost far more than the asset's steps usually do. */
    COST_JUMP;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The incident's subject: one per subject, kind and month. */
  public String incident() {
    return subject + " " + kind.label() + " " + period;
  }
}
