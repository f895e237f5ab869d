package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A request for access to a table, as the {@link RunStore} keeps it: who asked for which table and
 * columns, why and for how long, and its decision once there is one.
 *
 * @param id the request's number, given by the state database
 * @param principal the user or group of policies.yaml that asked
 * @param columns the columns asked for; empty for every column
 * @param period how long the grant lasts once approved
 * @param decision the approval or denial; empty while pending
 */
public record AccessRequest(
    long id,
    String principal,
    TableName table,
    List<String> columns,
    String reason,
    Duration period,
    Instant requestedAt,
    Optional<Decision> decision) {
  public AccessRequest {
    requireNonNull(principal, "principal is null");
    requireNonNull(table, "table is null");
    columns = List.copyOf(columns);
    requireNonNull(reason, "reason is null");
    requireNonNull(period, "period is null");
    requireNonNull(requestedAt, "requestedAt is null");
    requireNonNull(decision, "decision is null");
  }

  /**
   * The approval or denial of a request.
   *
   * @param approved whether it was approved
   * @param by the principal who decided
   * @param reason the reason given, or empty
   * @param expiresAt when the grant of an approved request ends; null for a denial
   */
  public record Decision(
      boolean approved, String by, Instant at, Optional<String> reason, Instant expiresAt) {
    public Decision {
      requireNonNull(by, "by is null");
      requireNonNull(at, "at is null");
      requireNonNull(reason, "reason is null");
      if (approved) {
        requireNonNull(expiresAt, "an approval needs expiresAt");
      }
    }
  }

  /** Where the request stands at {@code now}: an approved request expires at its end. */
  public AccessRequestStatus status(Instant now) {
    if (decision.isEmpty()) {
      return AccessRequestStatus.PENDING;
    }
    Decision decided = decision.get();
    if (!decided.approved()) {
      return AccessRequestStatus.DENIED;
    }
    return now.isBefore(decided.expiresAt())
        ? AccessRequestStatus.APPROVED
        : AccessRequestStatus.EXPIRED;
  }
}
