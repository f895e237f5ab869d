package dev.sluice.server.api;

/** Who may call an endpoint. */
public enum Access {
  /** Anyone, signed in or not: health checks, sign-in, the OpenAPI document. */
  PUBLIC,
  /** Any signed-in principal; what it reads is limited by its grants. */
  AUTHENTICATED,
  /** The project's owner or a principal holding the {@code admin} role. */
  ADMIN
}
