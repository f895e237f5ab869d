package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One option a connector takes in a source file: its name, type, description and default, whether
 * it is required or a secret, and where it is written ({@link Placement}: in {@code options:} by
 * default). Connectors declare their options with {@link SourceConnector#options()}; the project
 * loader validates source files against them, and {@code sluice connectors describe} and the docs
 * are generated from them.
 *
 * <p>Values are text: a YAML list is given to {@link #check} and the connector joined by commas.
 *
 * @param name the key in {@code options:}, e.g. {@code fetch_size}
 * @param type how the value is read
 * @param description what the option does, one or two sentences
 * @param defaultValue the value when the option is absent, or null for none
 * @param required whether a source must set it
 * @param secret whether the value is a secret: given only by reference ({@code ${env:NAME}} or
 *     {@code ${file:path}}) and never shown
 * @param allowedValues the values a {@link Type#CHOICE} option takes, else empty
 * @param placement where a source file gives the option
 * @param block for {@link Placement#TABLE_BLOCK} and {@link Placement#SOURCE_BLOCK}, the key of the
 *     block that holds the option, e.g. {@code csv}; else null
 */
public record ConnectorOption(
    String name,
    Type type,
    String description,
    String defaultValue,
    boolean required,
    boolean secret,
    List<String> allowedValues,
    Placement placement,
    String block) {
  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** The type of an option's value. */
  public enum Type {
    /** Any text. */
    STRING,
    /** A whole number. */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A duration: {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d} or ISO 8601 ({@code PT1H}). */
    DURATION,
    /** One value or a list of values (names, e.g. key columns). */
    LIST,
    /** One of {@link ConnectorOption#allowedValues()}. */
    CHOICE;

    /** The name shown to users, e.g. {@code duration}. */
    public String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Where a source file gives an option. Most options are written in {@code options:}; a connector
   * may give its main options a key of their own in the table (a file source's {@code path:}) or
   * group them in a block ({@code csv:} of a table, {@code s3:} of the source).
   */
  public enum Placement {
    /** In {@code options:} of the source or of a table; a table's value overrides the source's. */
    OPTIONS,
    /** A key of the table itself, e.g. {@code path: data/*.csv}. */
    TABLE,
    /**
     * A key of a block of the table named by {@link #block()}, e.g. {@code csv: {header: true}}.
     */
    TABLE_BLOCK,
    /**
     * A key of a block of the source named by {@link #block()}, e.g. {@code s3:}; a block of the
     * same name in {@code sluice.yaml} gives every source its defaults.
     */
    SOURCE_BLOCK
  }

  public ConnectorOption {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(description, "description is null");
    requireNonNull(placement, "placement is null");
    if ((placement == Placement.TABLE_BLOCK || placement == Placement.SOURCE_BLOCK)
        != (block != null)) {
      throw new IllegalArgumentException(
          "Option " + name + " needs a block exactly when it is placed in one");
    }
    allowedValues = List.copyOf(allowedValues);
    if (type == Type.CHOICE && allowedValues.isEmpty()) {
      throw new IllegalArgumentException("Choice option " + name + " has no allowed values");
    }
    if (required && defaultValue != null) {
      throw new IllegalArgumentException("Required option " + name + " cannot have a default");
    }
    if (defaultValue != null) {
      Optional<String> problem = check(type, false, allowedValues, defaultValue);
      if (problem.isPresent()) {
        throw new IllegalArgumentException(
            "Default of option " + name + " is invalid: " + problem.get());
      }
    }
  }

  /** Starts an option of the given name and type. */
  public static Builder builder(String name, Type type) {
    return new Builder(name, type);
  }

  /**
   * Checks a value against the option's type.
   *
   * @return what is wrong with the value, or empty when it is valid; never contains the value of a
   *     secret option
   */
  public Optional<String> check(String value) {
    return check(type, secret, allowedValues, value);
  }

  private static Optional<String> check(
      Type type, boolean secret, List<String> allowedValues, String value) {
    requireNonNull(value, "value is null");
    String shown = secret ? "a secret" : "'" + value + "'";
    return switch (type) {
      case STRING, LIST -> Optional.empty();
      case INTEGER -> {
        try {
          Long.parseLong(value.strip());
          yield Optional.empty();
        } catch (NumberFormatException e) {
          yield Optional.of("must be a whole number, got " + shown);
        }
      }
      case BOOLEAN ->
          parseBoolean(value).isPresent()
              ? Optional.empty()
              : Optional.of("must be true or false, got " + shown);
      case DURATION ->
          parseDuration(value).isPresent()
              ? Optional.empty()
              : Optional.of("must be a duration such as 30s, 15m, 2h or 1d, got " + shown);
      case CHOICE ->
          allowedValues.contains(value.strip().toLowerCase(Locale.ROOT))
              ? Optional.empty()
              : Optional.of(
                  "must be one of " + String.join(", ", allowedValues) + ", got " + shown);
    };
  }

  /** Reads {@code true}/{@code false} (also {@code yes}/{@code no}). */
  public static Optional<Boolean> parseBoolean(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> Optional.of(true);
      case "false", "no", "off" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  /** Reads {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}, {@code 500ms} or ISO 8601. */
  public static Optional<Duration> parseDuration(String value) {
    String text = value.strip();
    Matcher matcher = SIMPLE_DURATION.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return Optional.of(
          switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          });
    }
    try {
      return Optional.of(Duration.parse(text.toUpperCase(Locale.ROOT)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** Builds a {@link ConnectorOption}. */
  public static final class Builder {
    private final String name;
    private final Type type;
    private String description = "";
    private String defaultValue;
    private boolean required;
    private boolean secret;
    private final List<String> allowedValues = new ArrayList<>();
    private Placement placement = Placement.OPTIONS;
    private String block;

    private Builder(String name, Type type) {
      this.name = requireNonNull(name, "name is null");
      this.type = requireNonNull(type, "type is null");
    }

    public Builder description(String description) {
      this.description = requireNonNull(description, "description is null");
      return this;
    }

    public Builder defaultValue(String defaultValue) {
      this.defaultValue = defaultValue;
      return this;
    }

    public Builder required() {
      this.required = true;
      return this;
    }

    public Builder secret() {
      this.secret = true;
      return this;
    }

    public Builder allowedValues(String... values) {
      allowedValues.addAll(List.of(values));
      return this;
    }

    /** The option is a key of the table itself instead of a key of {@code options:}. */
    public Builder tableKey() {
      this.placement = Placement.TABLE;
      this.block = null;
      return this;
    }

    /** The option is a key of the table's block {@code block:}, e.g. {@code csv}. */
    public Builder inTableBlock(String block) {
      this.placement = Placement.TABLE_BLOCK;
      this.block = requireNonNull(block, "block is null");
      return this;
    }

    /** The option is a key of the source's block {@code block:}, e.g. {@code s3}. */
    public Builder inSourceBlock(String block) {
      this.placement = Placement.SOURCE_BLOCK;
      this.block = requireNonNull(block, "block is null");
      return this;
    }

    public ConnectorOption build() {
      return new ConnectorOption(
          name, type, description, defaultValue, required, secret, allowedValues, placement, block);
    }
  }
}
