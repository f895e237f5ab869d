package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The values of a connector's options for one source table, checked against the connector's {@link
 * ConnectorOption}s and completed with their defaults. {@link #toString()} never shows a secret.
 */
public final class ConnectorOptions {
  private final Map<String, ConnectorOption> declared;
  private final Map<String, String> values;
  private final Set<String> given;

  private ConnectorOptions(
      Map<String, ConnectorOption> declared, Map<String, String> values, Set<String> given) {
    this.declared = declared;
    this.values = values;
    this.given = given;
  }

  /**
   * Checks option values against their declarations.
   *
   * @param what what the options are of, for messages, e.g. {@code source table 'shop.orders'}
   * @throws InvalidInputException for an unknown option, a missing required one or a value of the
   *     wrong type; the message never contains a secret
   */
  public static ConnectorOptions of(
      List<ConnectorOption> declarations, Map<String, String> values, String what) {
    requireNonNull(declarations, "declarations is null");
    requireNonNull(values, "values is null");
    Map<String, ConnectorOption> declared = new LinkedHashMap<>();
    for (ConnectorOption option : declarations) {
      declared.put(option.name(), option);
    }
    Map<String, String> checked = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : values.entrySet()) {
      ConnectorOption option = declared.get(entry.getKey());
      if (option == null) {
        throw new InvalidInputException(
            "Unknown option '"
                + entry.getKey()
                + "' of "
                + what
                + ": the options are "
                + String.join(", ", declared.keySet()));
      }
      Optional<String> problem = option.check(entry.getValue());
      if (problem.isPresent()) {
        throw new InvalidInputException(
            "Option '" + option.name() + "' of " + what + " " + problem.get());
      }
      checked.put(entry.getKey(), entry.getValue());
    }
    Set<String> given = Set.copyOf(checked.keySet());
    for (ConnectorOption option : declarations) {
      if (!checked.containsKey(option.name())) {
        if (option.required()) {
          throw new InvalidInputException("Missing option '" + option.name() + "' of " + what);
        }
        if (option.defaultValue() != null) {
          checked.put(option.name(), option.defaultValue());
        }
      }
    }
    return new ConnectorOptions(declared, checked, given);
  }

  /**
   * A table's options as {@code connector} reads them before it stages or discovers the table:
   * checked against its {@link SourceConnector#options()} and by its {@link
   * SourceConnector#validate}.
   *
   * @throws InvalidInputException naming the table, for options that are invalid or cannot work
   *     together; the message never contains a secret
   */
  public static ConnectorOptions checked(SourceConnector connector, SourceTableSpec table) {
    return checked(connector, table, List.of());
  }

  /**
   * Like {@link #checked(SourceConnector, SourceTableSpec)}, failing also for {@code moreProblems}:
   * what the connector found wrong with the table beyond its options, e.g. a declared column of a
   * type it cannot read.
   */
  public static ConnectorOptions checked(
      SourceConnector connector, SourceTableSpec table, List<String> moreProblems) {
    requireNonNull(connector, "connector is null");
    requireNonNull(moreProblems, "moreProblems is null");
    String what = table.described();
    ConnectorOptions checked = of(connector.options(), table.options(), what);
    List<String> problems = new ArrayList<>(connector.validate(checked));
    problems.addAll(moreProblems);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "Options of " + what + " cannot work: " + String.join("; ", problems));
    }
    return checked;
  }

  /** Whether the option has a value (set or by default). */
  public boolean has(String name) {
    return values.containsKey(declaration(name).name());
  }

  /** Whether the option is given, not only by its default. */
  public boolean isGiven(String name) {
    return given.contains(declaration(name).name());
  }

  /** The option's text, or null when it has no value. */
  public String string(String name) {
    return values.get(declaration(name).name());
  }

  /** A {@link ConnectorOption.Type#CHOICE} option's value in lower case, or null. */
  public String choice(String name) {
    String value = string(name);
    return value == null ? null : value.strip().toLowerCase(Locale.ROOT);
  }

  /** An integer option's value, or null when it has none. */
  public Long integer(String name) {
    String value = string(name);
    return value == null ? null : Long.valueOf(value.strip());
  }

  /** A boolean option's value, or null when it has none. */
  public Boolean bool(String name) {
    String value = string(name);
    return value == null ? null : ConnectorOption.parseBoolean(value).orElseThrow();
  }

  /** A duration option's value, or null when it has none. */
  public Duration duration(String name) {
    String value = string(name);
    return value == null ? null : ConnectorOption.parseDuration(value).orElseThrow();
  }

  /** A list option's values (a comma-separated text), empty when it has none. */
  public List<String> list(String name) {
    String value = string(name);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<String> items = new ArrayList<>();
    Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .forEach(items::add);
    return List.copyOf(items);
  }

  private ConnectorOption declaration(String name) {
    ConnectorOption option = declared.get(name);
    if (option == null) {
      throw new IllegalArgumentException("Option " + name + " is not declared");
    }
    return option;
  }

  /** The options and their values, with every secret shown as {@code ****}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    values.forEach(
        (name, value) -> joiner.add(name + "=" + (declared.get(name).secret() ? "****" : value)));
    return joiner.toString();
  }
}
