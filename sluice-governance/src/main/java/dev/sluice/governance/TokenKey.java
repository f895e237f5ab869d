package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A tokenization or hashing key, resolved from its reference ({@code ${env:NAME}}, {@code
 * ${file:path}}). Its text form is the reference, never the key, so that it cannot reach a log, an
 * error or an audit record by accident.
 */
public final class TokenKey {
  private final String reference;
  private final byte[] secret;

  public TokenKey(String reference, String secret) {
    this.reference = requireNonNull(reference, "reference is null");
    this.secret = requireNonNull(secret, "secret is null").getBytes(StandardCharsets.UTF_8);
  }

  /** The reference as written in policies.yaml. */
  public String reference() {
    return reference;
  }

  /** The key's bytes (a copy). */
  byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TokenKey key && MessageDigest.isEqual(secret, key.secret);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(secret);
  }

  @Override
  public String toString() {
    return reference;
  }
}
