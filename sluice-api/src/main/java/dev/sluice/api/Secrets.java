package dev.sluice.api;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where secrets are removed from text that may be shown, logged or stored (messages,
 * response bodies, URLs, the run history). Every connector, the lake and the state database use it.
 *
 * <p>A secret is masked in every form in which it is sent: as is, URL-encoded (both {@code +} and
 * {@code %20} for spaces, either case of hex digits), JSON-escaped, and Base64 (standard and
 * URL-safe, with or without padding), also inside a longer Base64 text such as the {@code
 * Authorization: Basic} value of {@code user:password}: the whole Base64 word is masked.
 * Credentials that need no known secret to be recognised are masked too: the value of an {@code
 * Authorization} header, a URL's user-info password, and URL or driver parameters whose name says
 * they hold a secret ({@code password=}, {@code api_key=}, {@code token=}, ...).
 *
 * <p>Instances are immutable; {@link #none()} knows no secret but still masks the recognisable
 * credentials.
 */
public final class Secrets {
  /** What a secret is replaced with. */
  public static final String MASK = "****";

  /** Secrets shorter than this are not looked for inside longer Base64 text (false matches). */
  private static final int MIN_BASE64_CORE = 8;

  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)((?:^|[?&;:,\\s\"'{(])[\\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key"
              + "|access[_-]?key|signature)[\\w.-]*(?:=|\"\\s*:\\s*\"?))([^&;\\s\"',})]+)");
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/@:\\s]*:)([^/@\\s]+)@");
  private static final Pattern AUTHORIZATION =
      Pattern.compile("(?i)((?:proxy-)?authorization\"?\\s*[:=]\\s*\"?(?:\\w+\\s+)?)([^\\s\",}]+)");
  private static final Pattern BASE64_WORD = Pattern.compile("[A-Za-z0-9+/_=-]+");

  private static final Secrets NONE = new Secrets(List.of(), List.of());

  /** The literal forms to replace, longest first, so that no shorter form leaves part of one. */
  private final List<String> literals;

  /** Base64 fragments that only the secret can produce; the Base64 word around one is masked. */
  private final List<String> base64Cores;

  private Secrets(List<String> literals, List<String> base64Cores) {
    this.literals = literals;
    this.base64Cores = base64Cores;
  }

  /** No known secret: only the recognisable credentials are masked. */
  public static Secrets none() {
    return NONE;
  }

  /** The given secrets; null and empty values are ignored. */
  public static Secrets of(String... secrets) {
    return of(Arrays.asList(secrets));
  }

  /** The given secrets; null and empty values are ignored. */
  public static Secrets of(Collection<String> secrets) {
    requireNonNull(secrets, "secrets is null");
    Set<String> literals = new LinkedHashSet<>();
    Set<String> cores = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (secret == null || secret.isEmpty()) {
        continue;
      }
      literals.add(secret);
      String formEncoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
      literals.add(formEncoded);
      literals.add(formEncoded.replace("+", "%20"));
      literals.add(lowerHex(formEncoded));
      literals.add(lowerHex(formEncoded.replace("+", "%20")));
      literals.add(jsonEscaped(secret));
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      literals.add(Base64.getEncoder().encodeToString(bytes));
      literals.add(Base64.getUrlEncoder().encodeToString(bytes));
      literals.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
      literals.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      for (int offset = 0; offset < 3; offset++) {
        String core = base64Core(bytes, offset);
        if (core.length() >= MIN_BASE64_CORE) {
          cores.add(core);
          cores.add(core.replace('+', '-').replace('/', '_'));
        }
      }
    }
    List<String> ordered = new ArrayList<>(literals);
    ordered.sort(Comparator.comparingInt(String::length).reversed());
    return new Secrets(List.copyOf(ordered), List.copyOf(cores));
  }

  /** These secrets and those of {@code other}. */
  public Secrets and(Secrets other) {
    requireNonNull(other, "other is null");
    List<String> literals = new ArrayList<>(this.literals);
    other.literals.stream().filter(s -> !this.literals.contains(s)).forEach(literals::add);
    literals.sort(Comparator.comparingInt(String::length).reversed());
    Set<String> cores = new LinkedHashSet<>(this.base64Cores);
    cores.addAll(other.base64Cores);
    return new Secrets(List.copyOf(literals), List.copyOf(cores));
  }

  /** Whether no secret is known (recognisable credentials are masked all the same). */
  public boolean isEmpty() {
    return literals.isEmpty();
  }

  /**
   * The text with every known secret, in every form, and every recognisable credential masked.
   *
   * @return the masked text; "" for null
   */
  public String redact(String text) {
    if (text == null) {
      return "";
    }
    String result = text;
    for (String core : base64Cores) {
      result = maskBase64Words(result, core);
    }
    for (String literal : literals) {
      result = result.replace(literal, MASK);
    }
    return redactCredentials(result);
  }

  /**
   * Masks what is recognisably a credential without knowing any secret: the value of an {@code
   * Authorization} header, a URL's user-info password and parameters named like a secret.
   */
  public static String redactCredentials(String text) {
    if (text == null) {
      return "";
    }
    String result = AUTHORIZATION.matcher(text).replaceAll(m -> quoted(m.group(1)) + MASK);
    result = USER_INFO_PASSWORD.matcher(result).replaceAll(m -> quoted(m.group(1)) + MASK + "@");
    return SECRET_PARAMETER
        .matcher(result)
        .replaceAll(
            m -> m.group(2).startsWith(MASK) ? quoted(m.group()) : quoted(m.group(1)) + MASK);
  }

  /**
   * The secrets a URL carries: its user-info password and the values of parameters named like a
   * secret, for a {@link Secrets} that also masks them where they appear elsewhere.
   */
  public static List<String> inUrl(String url) {
    List<String> found = new ArrayList<>();
    if (url == null) {
      return found;
    }
    for (Pattern pattern : List.of(SECRET_PARAMETER, USER_INFO_PASSWORD)) {
      Matcher matcher = pattern.matcher(url);
      while (matcher.find()) {
        if (!matcher.group(2).isEmpty()) {
          found.add(matcher.group(2));
        }
      }
    }
    return found;
  }

  /** Whether a property or option name says that its value is a secret. */
  public static boolean isSecretName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.contains("password")
        || lower.contains("secret")
        || lower.contains("token")
        || lower.replace("_", "").replace("-", "").contains("apikey");
  }

  /**
   * The Base64 characters that encode the secret's bytes whatever precedes and follows them, when
   * it starts {@code offset} bytes into a 3-byte group: the characters of the groups that hold only
   * the secret's bytes.
   */
  private static String base64Core(byte[] secret, int offset) {
    byte[] shifted = new byte[offset + secret.length];
    System.arraycopy(secret, 0, shifted, offset, secret.length);
    String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
    int firstGroup = (offset + 2) / 3;
    int endGroup = (offset + secret.length) / 3;
    if (endGroup <= firstGroup) {
      return "";
    }
    return encoded.substring(firstGroup * 4, endGroup * 4);
  }

  private static String maskBase64Words(String text, String core) {
    int at = text.indexOf(core);
    if (at < 0) {
      return text;
    }
    StringBuilder result = new StringBuilder();
    Matcher word = BASE64_WORD.matcher(text);
    int copied = 0;
    while (at >= 0) {
      word.region(wordStart(text, at), text.length());
      if (!word.lookingAt()) {
        break;
      }
      result.append(text, copied, word.start()).append(MASK);
      copied = word.end();
      at = text.indexOf(core, copied);
    }
    return result.append(text, copied, text.length()).toString();
  }

  private static int wordStart(String text, int at) {
    int start = at;
    while (start > 0 && isBase64Character(text.charAt(start - 1))) {
      start--;
    }
    return start;
  }

  private static boolean isBase64Character(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/'
        || c == '_'
        || c == '-'
        || c == '=';
  }

  private static String lowerHex(String encoded) {
    Matcher escape = Pattern.compile("%[0-9A-F]{2}").matcher(encoded);
    return escape.replaceAll(m -> m.group().toLowerCase(Locale.ROOT));
  }

  private static String jsonEscaped(String secret) {
    StringBuilder escaped = new StringBuilder();
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      switch (c) {
        case '"' -> escaped.append("\\\"");
        case '\\' -> escaped.append("\\\\");
        case '/' -> escaped.append("\\/");
        default -> {
          if (c < 0x20) {
            escaped.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
  }

  private static String quoted(String replacement) {
    return Matcher.quoteReplacement(replacement);
  }

  @Override
  public String toString() {
    return "Secrets[" + literals.size() + " forms]";
  }
}
