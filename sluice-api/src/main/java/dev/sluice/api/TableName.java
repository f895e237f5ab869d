package dev.sluice.api;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.sql.Identifiers;
import java.util.regex.Pattern;

/** A table's name: its zone (an Iceberg namespace) and its name within the zone. */
public record TableName(String zone, String name) {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TableName {
    requireNonNull(zone, "zone is null");
    requireNonNull(name, "name is null");
    if (zone.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException(
          "Table name parts must not be empty: " + zone + "." + name);
    }
  }

  /** Parses {@code zone.name}. */
  public static TableName parse(String qualified) {
    requireNonNull(qualified, "qualified is null");
    int dot = qualified.indexOf('.');
    if (dot <= 0 || dot == qualified.length() - 1 || qualified.indexOf('.', dot + 1) >= 0) {
      throw new InvalidInputException(
          "Invalid table name '"
              + qualified
              + "': expected <zone>.<table>, for example published.revenue");
    }
    return new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
  }

  /** Whether the text is a plain SQL identifier (letters, digits, underscore). */
  public static boolean isIdentifier(String text) {
    return text != null && IDENTIFIER.matcher(text).matches();
  }

  /** The name with both parts double-quoted for SQL, e.g. {@code "curated"."orders"}. */
  public String quoted() {
    return quote(zone) + "." + quote(name);
  }

  /** Double-quotes one SQL identifier, escaping embedded quotes: {@link Identifiers#quote}. */
  public static String quote(String identifier) {
    return Identifiers.quote(identifier);
  }

  @Override
  public String toString() {
    return zone + "." + name;
  }
}
