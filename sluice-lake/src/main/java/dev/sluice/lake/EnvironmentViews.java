package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.view.View;

/**
 * The views of development environments. A view has no branches, so an environment's version of a
 * view model is an Iceberg view of its own, in namespace {@code sluice_environments.<environment>.
 * <zone>}: nested, so that {@link Lake#listTables} (the one-level namespaces) never lists it and
 * production never reads it. Readers of an environment find it through {@link Lake#findView(
 * TableName, ReadPoint)}; promotion replaces production's view with its definition.
 */
public final class EnvironmentViews {
  /** The first level of the environments' namespaces: never a zone or a dbt schema. */
  public static final String NAMESPACE = "sluice_environments";

  private final Lake lake;

  EnvironmentViews(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  static TableIdentifier identifier(TableName name, String environment) {
    return TableIdentifier.of(Namespace.of(NAMESPACE, environment, name.zone()), name.name());
  }

  /** Environment {@code environment}'s version of view {@code name}, if it has one. */
  public Optional<View> find(TableName name, String environment) {
    TableIdentifier identifier = identifier(name, environment);
    JdbcCatalog catalog = lake.catalog();
    return catalog.viewExists(identifier)
        ? Optional.of(catalog.loadView(identifier))
        : Optional.empty();
  }

  /** Stores environment {@code environment}'s version of view {@code name}. */
  public View createOrReplace(
      TableName name,
      String environment,
      Schema schema,
      String sql,
      Map<String, String> properties) {
    TableIdentifier identifier = identifier(name, environment);
    JdbcCatalog catalog = lake.catalog();
    Namespaces.createIfMissing(catalog, identifier.namespace());
    return catalog
        .buildView(identifier)
        .withSchema(schema)
        .withDefaultNamespace(Namespace.of(name.zone()))
        .withQuery("duckdb", sql)
        .withProperties(properties)
        .createOrReplace();
  }

  /** Drops environment {@code environment}'s version of view {@code name}; whether it had one. */
  public boolean drop(TableName name, String environment) {
    return lake.catalog().dropView(identifier(name, environment));
  }

  /** The views environment {@code environment} holds, by zone then name. */
  public List<TableName> list(String environment) {
    JdbcCatalog catalog = lake.catalog();
    Namespace parent = Namespace.of(NAMESPACE, environment);
    List<TableName> names = new ArrayList<>();
    if (!catalog.namespaceExists(parent)) {
      return names;
    }
    for (Namespace zone : catalog.listNamespaces(parent)) {
      catalog
          .listViews(zone)
          .forEach(id -> names.add(new TableName(zone.level(zone.length() - 1), id.name())));
    }
    names.sort(java.util.Comparator.comparing(TableName::toString));
    return names;
  }
}
