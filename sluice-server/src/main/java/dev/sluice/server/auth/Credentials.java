package dev.sluice.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.state.ApiToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How credentials are made and checked, without storage: API tokens ({@code sluice_<id>_<secret>},
 * 256 random bits, kept as their SHA-256) and passwords (bcrypt, cost {@value #BCRYPT_COST}).
 */
public final class Credentials {
  /** bcrypt's work factor: about 0.2 s per hash on this project's machines. */
  static final int BCRYPT_COST = 12;

  /** bcrypt reads at most 72 bytes of a password; a longer one is refused, not cut. */
  static final int MAX_PASSWORD_BYTES = 72;

  static final int MIN_PASSWORD_LENGTH = 12;

  private static final Pattern TOKEN = Pattern.compile("sluice_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Credentials() {}

  /** A new token for {@code principal}, not stored yet. */
  public static IssuedToken newToken(
      String principal, Instant now, Instant expiresAt, String createdBy) {
    byte[] id = new byte[8];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String tokenId = HexFormat.of().formatHex(id);
    String token =
        "sluice_" + tokenId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new IssuedToken(
        new ApiToken(tokenId, principal, sha256(token), now, createdBy, expiresAt, null), token);
  }

  /** The id part of a token in Sluice's format, or empty for anything else. */
  public static Optional<String> tokenId(String token) {
    Matcher matcher = TOKEN.matcher(token);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** Whether {@code token} is the one whose hash {@code stored} keeps (in constant time). */
  public static boolean matches(String token, ApiToken stored) {
    return MessageDigest.isEqual(
        sha256(token).getBytes(StandardCharsets.US_ASCII),
        stored.tokenHash().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The bcrypt hash of a new password.
   *
   * @throws InvalidInputException for a password shorter than {@value #MIN_PASSWORD_LENGTH}
   *     characters or longer than {@value #MAX_PASSWORD_BYTES} bytes (never echoing it)
   */
  public static String hashPassword(char[] password) {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new InvalidInputException(
          "The password is too short: use at least "
              + MIN_PASSWORD_LENGTH
              + " characters (a passphrase of a few words is easy to remember)");
    }
    if (utf8Length(password) > MAX_PASSWORD_BYTES) {
      throw new InvalidInputException(
          "The password is too long: bcrypt reads at most "
              + MAX_PASSWORD_BYTES
              + " bytes of it; use a shorter one");
    }
    return BCrypt.withDefaults().hashToString(BCRYPT_COST, password);
  }

  /** Whether {@code password} is the one {@code hash} was made from. */
  public static boolean passwordMatches(char[] password, String hash) {
    if (utf8Length(password) > MAX_PASSWORD_BYTES) {
      return false;
    }
    return BCrypt.verifyer().verify(password, hash).verified;
  }

  private static int utf8Length(char[] password) {
    return StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password)).remaining();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}
