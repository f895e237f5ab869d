package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is appended to the {@link AuditLog}: who did what, when, to which tables and columns, with
 * details as a JSON object. The log gives it its sequence number and hashes.
 *
 * @param at when it happened, from the caller's {@link java.time.Clock}; kept to the millisecond
 * @param principal who did it: a user or service name ({@code alice}, {@code scheduler})
 * @param tables the tables it concerns, as {@code zone.table}, without duplicates
 * @param columns the columns it concerns, as {@code zone.table.column}, without duplicates
 * @param details more facts, as JSON values (strings, numbers, booleans, lists, maps); secrets in
 *     them are masked when the record is written
 */
public record AuditEntry(
    Instant at,
    String principal,
    AuditAction action,
    List<String> tables,
    List<String> columns,
    Map<String, Object> details) {
  public AuditEntry {
    requireNonNull(at, "at is null");
    requireNonNull(principal, "principal is null");
    requireNonNull(action, "action is null");
    tables = List.copyOf(new LinkedHashSet<>(requireNonNull(tables, "tables is null")));
    columns = List.copyOf(new LinkedHashSet<>(requireNonNull(columns, "columns is null")));
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    if (principal.isBlank()) {
      throw new IllegalArgumentException("An audit entry needs a principal");
    }
  }

  /** Starts an entry of {@code action} by {@code principal} at {@code at}. */
  public static Builder builder(AuditAction action, String principal, Instant at) {
    return new Builder(action, principal, at);
  }

  /** Builds an {@link AuditEntry}. */
  public static final class Builder {
    private final AuditAction action;
    private final String principal;
    private final Instant at;
    private final Set<String> tables = new LinkedHashSet<>();
    private final Set<String> columns = new LinkedHashSet<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    private Builder(AuditAction action, String principal, Instant at) {
      this.action = requireNonNull(action, "action is null");
      this.principal = requireNonNull(principal, "principal is null");
      this.at = requireNonNull(at, "at is null");
    }

    /** A table the entry concerns, as {@code zone.table}. */
    public Builder table(String table) {
      tables.add(requireNonNull(table, "table is null"));
      return this;
    }

    /** Tables the entry concerns. */
    public Builder tables(Iterable<String> names) {
      names.forEach(this::table);
      return this;
    }

    /** A column the entry concerns; its table is added too. */
    public Builder column(String table, String column) {
      requireNonNull(column, "column is null");
      table(table);
      columns.add(table + "." + column);
      return this;
    }

    /** A fact of the entry: a string, number, boolean, list or map (null values are dropped). */
    public Builder detail(String key, Object value) {
      requireNonNull(key, "key is null");
      if (value != null) {
        details.put(key, value);
      }
      return this;
    }

    /** Facts of the entry (null values are dropped). */
    public Builder details(Map<String, ?> values) {
      values.forEach(this::detail);
      return this;
    }

    public AuditEntry build() {
      return new AuditEntry(
          at, principal, action, new ArrayList<>(tables), new ArrayList<>(columns), details);
    }
  }
}
