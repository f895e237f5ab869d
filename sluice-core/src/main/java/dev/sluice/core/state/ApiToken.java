package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An API token as the state database keeps it: who it acts as and when it stops working, never the
 * token itself (only its SHA-256, {@code tokenHash}).
 *
 * @param id the token's public identifier, part of the token and shown by {@code sluice token list}
 * @param principal the user or group of policies.yaml the token acts as
 * @param tokenHash the SHA-256 of the whole token, in lower-case hex
 * @param createdBy who created it (the local user)
 * @param expiresAt when it stops working, or null for never
 * @param revokedAt when it was revoked, or null
 */
public record ApiToken(
    String id,
    String principal,
    String tokenHash,
    Instant createdAt,
    String createdBy,
    Instant expiresAt,
    Instant revokedAt) {
  public ApiToken {
    requireNonNull(id, "id is null");
    requireNonNull(principal, "principal is null");
    requireNonNull(tokenHash, "tokenHash is null");
    requireNonNull(createdAt, "createdAt is null");
    requireNonNull(createdBy, "createdBy is null");
  }

  /** Whether the token authenticates at {@code now}: not revoked and not expired. */
  public boolean activeAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** Shows everything but the hash. */
  @Override
  public String toString() {
    return "ApiToken[id="
        + id
        + ", principal="
        + principal
        + ", createdAt="
        + createdAt
        + ", expiresAt="
        + expiresAt
        + ", revokedAt="
        + revokedAt
        + "]";
  }
}
