package dev.sluice.server.iceberg;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.Principal;
import dev.sluice.governance.Privilege;
import dev.sluice.governance.TableAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.types.Types;

/**
 * What one principal may see through the Iceberg REST catalog, by the project's policies: a table
 * it holds a {@code read} grant on is listed; it is served (its metadata, and so its files) only
 * when the principal reads it as stored, with no mask, no row filter and no column left out. An
 * engine given the files could not apply those, so such a table is refused with the way to read it
 * governed: the SQL endpoint.
 */
final class CatalogAccess {
  /** Where a refused reader is sent: the endpoints that apply masks and filters. */
  static final String GOVERNED_READ =
      "read it through Sluice's SQL endpoint instead (POST /api/v1/query, or 'sluice query --as'),"
          + " where they are applied";

  private final AccessPolicy policy;
  private final Principal principal;

  CatalogAccess(AccessPolicy policy, Principal principal) {
    this.policy = requireNonNull(policy, "policy is null");
    this.principal = requireNonNull(principal, "principal is null");
  }

  /** The Sluice table an Iceberg identifier names, its namespace a zone. */
  static TableName tableName(TableIdentifier identifier) {
    Zone zone = zone(identifier.namespace());
    if (!TableName.isIdentifier(identifier.name())) {
      throw new org.apache.iceberg.exceptions.NoSuchTableException(
          "Table does not exist: %s (not a valid table name)", identifier);
    }
    return new TableName(zone.namespace(), identifier.name());
  }

  /** The zone a namespace is; Sluice's namespaces are its zones, one level each. */
  static Zone zone(Namespace namespace) {
    if (namespace.length() != 1) {
      throw new NoSuchNamespaceException(
          "Namespace does not exist: %s; Sluice's namespaces are its zones: %s",
          namespace, zoneNames());
    }
    return Zone.fromName(namespace.level(0))
        .filter(zone -> zone.namespace().equals(namespace.level(0)))
        .orElseThrow(
            () ->
                new NoSuchNamespaceException(
                    "Namespace does not exist: %s; Sluice's namespaces are its zones: %s",
                    namespace, zoneNames()));
  }

  private static String zoneNames() {
    List<String> names = new ArrayList<>();
    for (Zone zone : Zone.values()) {
      names.add(zone.namespace());
    }
    return String.join(", ", names);
  }

  /** Whether the principal may see that a table exists: it holds a read grant on it. */
  boolean listed(TableName table) {
    return principal.owner() || !policy.grantsOf(principal, table, Privilege.READ).isEmpty();
  }

  /**
   * Checks that the principal holds a read grant on a table.
   *
   * @throws AccessDeniedException when it does not, naming the table
   */
  void checkGranted(TableName name) {
    if (!listed(name)) {
      throw new AccessDeniedException(
          "'"
              + principal.name()
              + "' may not read "
              + name
              + ": no grant of read on it in policies.yaml; ask for one ('sluice access request "
              + name
              + "')");
    }
  }

  /**
   * Checks that the principal may read a table's files as stored.
   *
   * @throws AccessDeniedException without a read grant, or when a mask, a row filter or a column
   *     grant applies to it, naming them and the SQL endpoint
   */
  void checkServedRaw(TableName name, Table table) {
    checkGranted(name);
    if (principal.owner()) {
      return;
    }
    List<String> columns = new ArrayList<>();
    for (Types.NestedField field : table.schema().columns()) {
      columns.add(field.name());
    }
    TableAccess access = policy.access(principal, name, columns);
    if (access.unrestricted()) {
      return;
    }
    List<String> why = new ArrayList<>();
    for (Map.Entry<String, MaskDef> mask : new java.util.TreeMap<>(access.masks()).entrySet()) {
      why.add("column " + mask.getKey() + " is masked (" + mask.getValue().kind().label() + ")");
    }
    if (access.filtered()) {
      why.add("a row filter applies");
    }
    if (!access.deniedColumns().isEmpty()) {
      why.add("columns " + String.join(", ", access.deniedColumns()) + " are not granted");
    }
    throw new AccessDeniedException(
        "Table "
            + name
            + " is not served raw to '"
            + principal.name()
            + "' by the Iceberg REST catalog: "
            + String.join("; ", why)
            + ", and an engine reading its files could not apply that; "
            + GOVERNED_READ);
  }
}
