package dev.sluice.core.state;

import java.time.Instant;

/** Who holds a lock, since when, and until when it holds it unless renewed. */
public record LockHolder(String resource, String owner, Instant acquiredAt, Instant expiresAt) {}
