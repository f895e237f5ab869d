package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.List;
import java.util.Optional;

/**
 * A column mask: which columns it hides (one column of one table, or every column carrying a
 * classification tag), how ({@link MaskKind}), and the roles exempt from it.
 *
 * @param table the table of a column mask; empty for a tag mask
 * @param column the column of a column mask; empty for a tag mask
 * @param tag the classification tag of a tag mask; empty for a column mask
 * @param value the constant of a {@code redact} mask, or null for the type's default
 * @param last how many characters a {@code partial} mask shows
 * @param expression the SQL of a {@code custom} mask
 * @param key the key of a {@code hash} or {@code tokenize} mask
 */
public record MaskDef(
    Optional<TableName> table,
    Optional<String> column,
    Optional<String> tag,
    MaskKind kind,
    String value,
    int last,
    String expression,
    Optional<TokenKey> key,
    List<String> exempt,
    Location location) {
  public MaskDef {
    requireNonNull(table, "table is null");
    requireNonNull(column, "column is null");
    requireNonNull(tag, "tag is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(key, "key is null");
    exempt = List.copyOf(exempt);
    requireNonNull(location, "location is null");
  }

  /** A mask of one column. */
  public static MaskDef onColumn(TableName table, String column, MaskKind kind, Location location) {
    return new MaskDef(
        Optional.of(table),
        Optional.of(column),
        Optional.empty(),
        kind,
        null,
        4,
        null,
        Optional.empty(),
        List.of(),
        location);
  }

  /** What the mask covers, e.g. {@code published.customers.email} or {@code tag pii.email}. */
  public String target() {
    return tag.map(name -> "tag " + name)
        .orElseGet(() -> table.orElseThrow() + "." + column.orElseThrow());
  }

  /** "email_domain (policies.yaml:12)" */
  public String describe() {
    return kind.label() + " (" + location + ")";
  }

  public MaskDef withKey(TokenKey newKey) {
    return new MaskDef(
        table, column, tag, kind, value, last, expression, Optional.of(newKey), exempt, location);
  }

  public MaskDef withOptions(
      String newValue, int newLast, String newExpression, List<String> newExempt) {
    return new MaskDef(
        table, column, tag, kind, newValue, newLast, newExpression, key, newExempt, location);
  }
}
