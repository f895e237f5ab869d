package dev.sluice.core.query;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.core.run.Relations;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.MaskExpressions;
import dev.sluice.governance.Principal;
import dev.sluice.governance.PrincipalAttributes;
import dev.sluice.governance.TableAccess;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.view.View;

/**
 * Registers the tables a principal's query names so that the query can only see what the principal
 * may: under each table's name {@code "zone"."table"}, a relation that already applies the
 * principal's column grants, masks and row filters. The stored table is registered under a name no
 * query can write ({@link SqlSandbox} accepts only {@code zone.table} names), so masks and filters
 * hold wherever the name is read: in CTEs, subqueries, joins, unions, {@code exists} probes and
 * aggregates.
 *
 * <p>A filtered table is materialized (a temporary table of the rows the principal may read) before
 * the query runs, so that the engine's optimizer cannot evaluate the query's own predicates on rows
 * the filter removes (a failing cast in a WHERE clause would otherwise report a hidden value).
 * Policies are today's, whatever version is read: time travel to an old snapshot reads it with
 * today's grants, masks and filters, columns are matched by Iceberg field id to today's names, and
 * a column the table no longer has is not shown.
 */
final class GovernedRelations {
  /** The schema of the stored tables: not a zone, so no query can name it. */
  static final String STORED_SCHEMA = "__sluice_stored";

  private final Lake lake;
  private final EngineSession session;
  private final ReadPoint readPoint;
  private final AccessPolicy policy;
  private final Principal principal;
  private final Map<TableName, TableAccess> applied = new LinkedHashMap<>();
  private final Relations.ReadListener reads;

  GovernedRelations(
      Lake lake,
      EngineSession session,
      ReadPoint readPoint,
      AccessPolicy policy,
      Principal principal,
      Relations.ReadListener reads) {
    this.reads = requireNonNull(reads, "reads is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
    this.readPoint = requireNonNull(readPoint, "readPoint is null");
    this.policy = requireNonNull(policy, "policy is null");
    this.principal = requireNonNull(principal, "principal is null");
  }

  /** What was applied to each table read so far, for the audit record and error hints. */
  Map<TableName, TableAccess> applied() {
    return Map.copyOf(applied);
  }

  /**
   * Registers every table the query names, each as the principal may read it.
   *
   * @throws AccessDeniedException naming the first table the principal may not read
   */
  void registerAll(Set<TableName> tables) {
    for (TableName table : tables) {
      TableAccess access = access(table);
      if (!access.readable()) {
        throw refused(table, access);
      }
    }
    for (TableName table : tables) {
      register(table, null);
    }
  }

  /** What the principal may read of a table, from today's policies and today's columns. */
  TableAccess access(TableName table) {
    return policy.access(principal, table, currentColumns(table));
  }

  private List<String> currentColumns(TableName table) {
    Optional<View> view = lake.findView(table, readPoint);
    Schema schema = view.isPresent() ? view.get().schema() : lake.loadTable(table).schema();
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }

  private void register(TableName table, TableName throughView) {
    if (applied.containsKey(table)) {
      return;
    }
    TableAccess access = access(table);
    if (!access.readable()) {
      throw throughView == null ? refused(table, access) : refusedThroughView(table, throughView);
    }
    applied.put(table, access);
    Optional<View> view = lake.findView(table, readPoint);
    if (view.isPresent()) {
      // a view is read with the reader's rights: the tables it reads are governed as if named
      String sql = Relations.viewSql(view.get());
      Set<TableName> dependencies = Relations.referencedTables(sql);
      if (dependencies == null) {
        throw new AccessDeniedException(
            "View "
                + table
                + " cannot be read as "
                + principal.name()
                + ": Sluice cannot tell which tables its SQL reads, so it cannot apply their"
                + " policies");
      }
      dependencies.forEach(dependency -> register(dependency, table));
      // the view's own row filter and masks apply on top of those of the tables it reads
      registerGoverned(table, access, "SELECT " + selectList(access, null) + " FROM (" + sql + ")");
      return;
    }
    Schema current = lake.loadTable(table).schema();
    TableScanFiles scan = lake.scan(table, readPoint);
    Schema read = asToday(scan.schema(), current);
    TableName stored = new TableName(STORED_SCHEMA, table.zone() + "__" + table.name());
    session.registerTable(stored, read, scan.dataFiles(), scan.columnMapping());
    reads.planned(scan.dataFiles().size(), scan.dataBytes());
    registerGoverned(
        table, access, "SELECT " + selectList(access, read) + " FROM " + stored.quoted());
  }

  /**
   * Registers {@code table} as {@code select} (the principal's columns and masks, ending with its
   * FROM) with the principal's row filter, materialized when there is one.
   */
  private void registerGoverned(TableName table, TableAccess access, String select) {
    if (access.filtered()) {
      String filtered =
          PrincipalAttributes.filtered(
              select,
              session.structExpression(PrincipalAttributes.values(principal)),
              access.predicate());
      String temporary = "__sluice_governed_" + table.zone() + "__" + table.name();
      session.createTemporaryTable(temporary, filtered);
      session.registerView(table, "SELECT * FROM " + session.temporaryTableReference(temporary));
    } else {
      session.registerView(table, select);
    }
  }

  /**
   * The read schema with today's column names (matched by field id); columns the table no longer
   * has are left out.
   */
  private static Schema asToday(Schema read, Schema current) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField field : read.columns()) {
      Types.NestedField today = current.findField(field.fieldId());
      if (today != null) {
        fields.add(Types.NestedField.from(field).withName(today.name()).build());
      }
    }
    return new Schema(fields);
  }

  private String selectList(TableAccess access, Schema read) {
    StringJoiner select = new StringJoiner(", ");
    for (String column : access.columns()) {
      Types.NestedField field = read == null ? null : read.findField(column);
      if (read != null && field == null) {
        continue; // added after the snapshot read
      }
      String quoted = Identifiers.quote(column);
      MaskDef mask = access.masks().get(column);
      if (mask == null) {
        select.add(quoted);
      } else {
        org.apache.iceberg.types.Type type = field != null ? field.type() : Types.StringType.get();
        select.add(masked(access.table(), mask, column, type) + " AS " + quoted);
      }
    }
    if (select.length() == 0) {
      throw new AccessDeniedException(
          principal.name() + " may read no column of " + access.table());
    }
    return select.toString();
  }

  /**
   * The masked column. A keyed mask ({@code hash}, {@code tokenize}) is computed by a function in
   * Sluice's process, so that its key never leaves it: an engine that cannot call it (a Spark
   * cluster) refuses the read rather than show the column unmasked.
   */
  private String masked(
      TableName table, MaskDef mask, String column, org.apache.iceberg.types.Type type) {
    try {
      return MaskExpressions.sql(
          mask, column, type, MaskFunctions.in(session), session::stringLiteral);
    } catch (UnsupportedOperationException e) {
      throw new AccessDeniedException(
          mayNotRead(table)
              + ": column "
              + column
              + " is masked with "
              + mask.kind().label()
              + " ("
              + mask.location()
              + "), whose key stays in Sluice's process, and this query's engine cannot call"
              + " Sluice's functions ("
              + e.getMessage()
              + "); read it on a project whose engine is duckdb, or use a mask without a key"
              + " (redact, partial, null, email_domain)");
    }
  }

  private AccessDeniedException refused(TableName table, TableAccess access) {
    return new AccessDeniedException(
        mayNotRead(table)
            + ": "
            + String.join("; ", access.notes())
            + " (privilege read; see 'sluice access explain "
            + principal.name()
            + " "
            + table
            + "')");
  }

  private AccessDeniedException refusedThroughView(TableName table, TableName view) {
    return new AccessDeniedException(
        mayNotRead(table)
            + ", which view "
            + view
            + " reads (privilege read on "
            + table
            + " is needed too: views are read with the reader's grants)");
  }

  private String mayNotRead(TableName table) {
    return "Access refused: " + principal.name() + " may not read " + table;
  }
}
