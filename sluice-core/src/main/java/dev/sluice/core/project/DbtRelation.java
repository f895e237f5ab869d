package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.Locale;

/**
 * dbt's {@code Relation} in templates: what {@code ref()}, {@code source()}, {@code this}, {@code
 * adapter.get_relation(...)} and {@code api.Relation.create(...)} give in a dbt project. It renders
 * as the quoted {@code schema.identifier} (dbt-duckdb's database left out: there is one warehouse),
 * or as the SQL a {@code source()} reads, and has dbt's attributes ({@code database}, {@code
 * schema}, {@code identifier}, {@code name}, {@code type}, {@code is_table}, ...).
 */
public final class DbtRelation {
  private final String database;
  private final String schema;
  private final String identifier;
  private final String type;
  private final String rendered;

  DbtRelation(String database, String schema, String identifier, String type, String rendered) {
    this.database = database;
    this.schema = schema;
    this.identifier = requireNonNull(identifier, "identifier is null");
    this.type = type;
    this.rendered = requireNonNull(rendered, "rendered is null");
  }

  /** The relation of a table, rendered as its quoted name. */
  static DbtRelation of(String database, TableName table, String type) {
    return new DbtRelation(database, table.zone(), table.name(), type, table.quoted());
  }

  /** The table this relation names in the lake; its schema in lower case, as Sluice keeps it. */
  TableName tableName() {
    return new TableName(schema == null ? "main" : schema.toLowerCase(Locale.ROOT), identifier);
  }

  public String getDatabase() {
    return database;
  }

  public String getSchema() {
    return schema;
  }

  public String getIdentifier() {
    return identifier;
  }

  public String getName() {
    return identifier;
  }

  public String getTable() {
    return identifier;
  }

  /** dbt's {@code type}: {@code table}, {@code view}, or none when unknown. */
  public String getType() {
    return type;
  }

  public boolean isTable() {
    return "table".equals(type);
  }

  public boolean isView() {
    return "view".equals(type);
  }

  public boolean isCte() {
    return false;
  }

  /** dbt's {@code render()}: the text the relation renders as. */
  public String render() {
    return rendered;
  }

  /** dbt's {@code include(...)}: Sluice renders schema and identifier; the same relation. */
  public DbtRelation include(Object... ignored) {
    return this;
  }

  /** dbt's {@code quote(...)}: Sluice always quotes; the same relation. */
  public DbtRelation quote(Object... ignored) {
    return this;
  }

  /** dbt's {@code incorporate(...)}: the same relation. */
  public DbtRelation incorporate(Object... ignored) {
    return this;
  }

  @Override
  public String toString() {
    return rendered;
  }
}
