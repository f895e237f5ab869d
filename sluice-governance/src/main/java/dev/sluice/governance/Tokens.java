package dev.sluice.governance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed digests of masked values, computed with the JDK's HMAC-SHA256 ({@code javax.crypto.Mac}):
 * without the key nobody can compute a value's token, so a dictionary of likely values (emails,
 * phone numbers) does not reverse them, and with the same key equal values get equal tokens.
 */
public final class Tokens {
  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private Tokens() {}

  /** The {@code hash} mask: the 64 hex digits of HMAC-SHA256(key, text). */
  public static UnaryOperator<String> hash(TokenKey key) {
    SecretKeySpec spec = spec(key);
    return text -> text == null ? null : HEX.formatHex(digest(spec, text));
  }

  /** The {@code tokenize} mask of text: {@code tok_} and 24 hex digits (96 bits) of the HMAC. */
  public static UnaryOperator<String> token(TokenKey key) {
    SecretKeySpec spec = spec(key);
    return text -> text == null ? null : "tok_" + HEX.formatHex(digest(spec, text), 0, 12);
  }

  /**
   * The {@code tokenize} mask of a whole number: a non-negative number from 63 bits of the HMAC.
   */
  public static LongUnaryOperator tokenNumber(TokenKey key) {
    SecretKeySpec spec = spec(key);
    return value -> ByteBuffer.wrap(digest(spec, Long.toString(value))).getLong() & Long.MAX_VALUE;
  }

  private static SecretKeySpec spec(TokenKey key) {
    return new SecretKeySpec(key.secret(), ALGORITHM);
  }

  private static byte[] digest(SecretKeySpec spec, String text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(spec);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // every JDK has HmacSHA256, and a non-empty key is valid for it
      throw new IllegalStateException("Cannot compute HMAC-SHA256", e);
    }
  }
}
