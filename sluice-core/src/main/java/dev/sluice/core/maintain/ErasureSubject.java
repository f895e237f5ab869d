package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A data subject to erase: the key naming the kind of identifier ({@code customer_id}, matching the
 * columns tagged {@code subject.customer_id}) and the identifier's value.
 */
public record ErasureSubject(String key, String value) {
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");

  public ErasureSubject {
    requireNonNull(key, "key is null");
    requireNonNull(value, "value is null");
  }

  /**
   * Reads {@code key=value} as given to {@code sluice erase --subject}.
   *
   * @throws InvalidInputException when it is not of that shape
   */
  public static ErasureSubject parse(String text) {
    requireNonNull(text, "text is null");
    int equals = text.indexOf('=');
    String key = equals < 0 ? "" : text.substring(0, equals).strip();
    String value = equals < 0 ? "" : text.substring(equals + 1).strip();
    if (!KEY.matcher(key).matches() || value.isEmpty()) {
      throw new InvalidInputException(
          "--subject takes KEY=VALUE, the identifier's kind and its value, e.g. --subject"
              + " customer_id=42 (the columns tagged subject.customer_id hold it); the key is"
              + " lower-case letters, digits and '_'");
    }
    return new ErasureSubject(key, value);
  }

  /** The tag of the columns holding this kind of identifier: {@code subject.customer_id}. */
  public String tag() {
    return Erasure.SUBJECT_TAG + "." + key;
  }

  /**
   * The value's SHA-256, hex: what the audit log and the commits keep, so that the record of an
   * erasure does not itself hold the identifier in clear.
   */
  public String digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK has no SHA-256", e);
    }
  }

  /** The key and the value's digest; never the value. */
  @Override
  public String toString() {
    return key + "=<sha256 " + digest().substring(0, 12) + ">";
  }
}
