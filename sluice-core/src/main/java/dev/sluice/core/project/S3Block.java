package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.objectstore.S3Options;
import dev.sluice.objectstore.S3Settings;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code s3:} block, of {@code sluice.yaml} (for a warehouse in S3-compatible storage and as the
 * default of file sources) or of a file source, as written: the credentials stay references ({@code
 * ${env:NAME}}, {@code ${file:path}}) until {@link #resolve} is called for a run.
 *
 * @param values the settings as written, by key
 * @param locations where each setting was written
 */
public record S3Block(Map<String, String> values, Map<String, Location> locations) {
  private static final String PATH_STYLE_ACCESS = S3Options.PATH_STYLE_ACCESS;
  private static final String ACCESS_KEY_ID = S3Options.ACCESS_KEY_ID;
  private static final String SECRET_ACCESS_KEY = S3Options.SECRET_ACCESS_KEY;
  private static final List<String> KEYS = S3Options.KEYS;
  private static final Set<String> SECRETS = S3Options.SECRETS;

  static final S3Block EMPTY = new S3Block(Map.of(), Map.of());

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)}");

  public S3Block {
    values = Copies.orderedMap(values);
    locations = Copies.orderedMap(locations);
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * Reads the {@code s3:} block of a mapping, reporting unknown keys, a non-boolean {@code
   * path_style_access}, credentials written as literal values and a key id without its secret.
   */
  static S3Block parse(YamlMap owner, String what, Problems problems) {
    Optional<YamlMap> maybeBlock = owner.map("s3", "'s3:' of " + what, Set.copyOf(KEYS));
    if (maybeBlock.isEmpty()) {
      return EMPTY;
    }
    YamlMap block = maybeBlock.get();
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Location> locations = new LinkedHashMap<>();
    for (String key : KEYS) {
      if (!block.has(key)) {
        continue;
      }
      String value;
      if (key.equals(PATH_STYLE_ACCESS)) {
        Boolean bool = block.bool(key, null);
        value = bool == null ? null : bool.toString();
      } else {
        value = block.string(key);
      }
      if (value == null) {
        continue;
      }
      if (SECRETS.contains(key) && !REFERENCE.matcher(value.strip()).matches()) {
        problems.add(
            block.location(key),
            "Secrets must be given by reference: s3."
                + key
                + " of "
                + what
                + " holds a literal"
                + " value",
            "write ${env:NAME} to read an environment variable or ${file:path} to read a file,"
                + " and keep the value out of the project");
        continue;
      }
      values.put(key, value);
      locations.put(key, block.location(key));
    }
    Set<String> given = new HashSet<>();
    for (String key : List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY)) {
      if (block.has(key)) {
        given.add(key);
      }
    }
    S3Options.credentialsProblem(given, "'s3:' of " + what)
        .ifPresent(problem -> problems.add(block.location(), problem, S3Options.CREDENTIALS_HINT));
    return new S3Block(values, locations);
  }

  /** This block with {@code other}'s settings taking precedence. */
  S3Block overriddenBy(S3Block other) {
    if (other.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new LinkedHashMap<>(values);
    Map<String, Location> mergedLocations = new LinkedHashMap<>(locations);
    // credentials come as a pair: a block that gives one replaces both
    if (other.values.containsKey(ACCESS_KEY_ID) || other.values.containsKey(SECRET_ACCESS_KEY)) {
      SECRETS.forEach(merged::remove);
    }
    merged.putAll(other.values);
    mergedLocations.putAll(other.locations);
    return new S3Block(merged, mergedLocations);
  }

  /**
   * Resolves the credentials' references.
   *
   * @param what the block's owner, for messages, e.g. {@code sluice.yaml}
   * @return the settings, or empty with the unresolvable references reported
   */
  Optional<S3Settings> resolve(Secrets secrets, String what, Location fallback) {
    Map<String, String> resolved = new LinkedHashMap<>(values);
    boolean complete = true;
    for (String key : SECRETS) {
      String reference = values.get(key);
      if (reference != null) {
        Optional<String> secret =
            secrets.resolve(
                reference, "s3." + key + " of " + what, locations.getOrDefault(key, fallback));
        if (secret.isPresent()) {
          resolved.put(key, secret.get());
        } else {
          complete = false;
        }
      }
    }
    return complete ? Optional.of(settings(resolved)) : Optional.empty();
  }

  /** Settings from resolved values, keyed as in an {@code s3:} block. */
  static S3Settings settings(Map<String, String> resolved) {
    return S3Options.settings(resolved);
  }

  /** Shows the settings with the credentials' references only (they are not secrets). */
  @Override
  public String toString() {
    return "S3Block" + values;
  }
}
