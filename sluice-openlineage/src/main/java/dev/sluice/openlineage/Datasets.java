package dev.sluice.openlineage;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.lineage.AssetColumns;
import dev.sluice.core.lineage.ProjectLineage;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.lineage.ColumnDependency;
import dev.sluice.lineage.ConditionDependency;
import dev.sluice.lineage.OutputColumn;
import io.openlineage.client.OpenLineage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datasets of a workspace as OpenLineage names them, with the facets Sluice knows: a table of
 * the warehouse is named {@code zone.table} in the warehouse's namespace (its location, e.g. {@code
 * file:///srv/shop/warehouse} or {@code s3://bucket/warehouse}); a seed's CSV file is named by its
 * path in namespace {@code file}; the system a source reads from is named {@code source.table} in
 * namespace {@code CONNECTOR://SOURCE} (for example {@code postgres-cdc://shop}), because a
 * source's connection settings may hold secrets and are never sent.
 */
final class Datasets {
  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

  private final Workspace workspace;
  private final String warehouse;
  private ProjectLineage lineage;

  Datasets(Workspace workspace) {
    this.workspace = workspace;
    this.warehouse = warehouseNamespace(workspace.lake().location());
  }

  /** The namespace of the warehouse's tables. */
  String warehouse() {
    return warehouse;
  }

  private static String warehouseNamespace(String location) {
    String namespace = location.contains("://") ? location : Path.of(location).toUri().toString();
    return namespace.endsWith("/") ? namespace.substring(0, namespace.length() - 1) : namespace;
  }

  /** What {@code asset} reads: its upstream assets' tables, or a seed's file, or a source. */
  List<OpenLineage.InputDataset> inputs(OpenLineage ol, Asset asset) {
    List<OpenLineage.InputDataset> inputs = new ArrayList<>();
    if (asset instanceof Asset.Seed seed) {
      inputs.add(
          ol.newInputDatasetBuilder()
              .namespace("file")
              .name(seed.definition().csvFile().toAbsolutePath().normalize().toString())
              .build());
    } else if (asset instanceof Asset.SourceTable sourceTable) {
      SourceTableDef table = sourceTable.definition();
      String source = table.source();
      SourceDef definition = workspace.project().sources().get(source);
      String connector = definition == null ? "source" : definition.connector();
      inputs.add(
          ol.newInputDatasetBuilder()
              .namespace(connector + "://" + source)
              .name(table.assetName())
              .build());
    }
    for (String upstream : workspace.project().graph().upstream(asset.name())) {
      TableName table = workspace.project().asset(upstream).tableName();
      inputs.add(
          ol.newInputDatasetBuilder()
              .namespace(warehouse)
              .name(table.toString())
              .facets(ol.newDatasetFacetsBuilder().schema(schema(ol, table).orElse(null)).build())
              .build());
    }
    return inputs;
  }

  /** The table's columns and types as the warehouse has them now, if it exists. */
  Optional<OpenLineage.SchemaDatasetFacet> schema(OpenLineage ol, TableName name) {
    Optional<Table> table;
    try {
      table = workspace.lake().findTable(name);
    } catch (RuntimeException e) {
      LOG.debug("No schema of {} for OpenLineage: {}", name, e.toString());
      return Optional.empty();
    }
    return table.map(found -> schemaFacet(ol, found.schema()));
  }

  private static OpenLineage.SchemaDatasetFacet schemaFacet(OpenLineage ol, Schema schema) {
    List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
    for (Types.NestedField column : schema.columns()) {
      fields.add(
          ol.newSchemaDatasetFacetFieldsBuilder()
              .name(column.name())
              .type(column.type().toString())
              .description(column.doc())
              .build());
    }
    return ol.newSchemaDatasetFacetBuilder().fields(fields).build();
  }

  /**
   * Each output column of {@code asset} with the input columns it is computed from (direct: the
   * value is copied, transformed or aggregated), and the columns its filters, joins and groups read
   * (indirect), or empty where the lineage of its SQL cannot be derived.
   */
  Optional<OpenLineage.ColumnLineageDatasetFacet> columnLineage(OpenLineage ol, String asset) {
    Optional<AssetColumns> columns = lineage().asset(asset);
    if (columns.isEmpty() || !columns.get().derived()) {
      return Optional.empty();
    }
    OpenLineage.ColumnLineageDatasetFacetFieldsBuilder fields =
        ol.newColumnLineageDatasetFacetFieldsBuilder();
    boolean any = false;
    for (OutputColumn column : columns.get().columns()) {
      if (column.inputs().isEmpty()) {
        continue;
      }
      List<OpenLineage.InputField> inputs = new ArrayList<>();
      for (ColumnDependency dependency : column.inputs()) {
        inputs.add(
            ol.newInputFieldBuilder()
                .namespace(warehouse)
                .name(dependency.column().table().toString())
                .field(dependency.column().column())
                .transformations(
                    List.of(
                        ol.newInputFieldTransformationsBuilder()
                            .type("DIRECT")
                            .subtype(directSubtype(dependency))
                            .build()))
                .build());
      }
      fields.put(
          column.name(),
          ol.newColumnLineageDatasetFacetFieldsAdditionalBuilder().inputFields(inputs).build());
      any = true;
    }
    List<OpenLineage.InputField> indirect = new ArrayList<>();
    for (ConditionDependency condition : columns.get().conditions()) {
      indirect.add(
          ol.newInputFieldBuilder()
              .namespace(warehouse)
              .name(condition.column().table().toString())
              .field(condition.column().column())
              .transformations(
                  List.of(
                      ol.newInputFieldTransformationsBuilder()
                          .type("INDIRECT")
                          .subtype(indirectSubtype(condition))
                          .build()))
              .build());
    }
    if (!any && indirect.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        ol.newColumnLineageDatasetFacetBuilder()
            .fields(fields.build())
            .dataset(indirect.isEmpty() ? null : indirect)
            .build());
  }

  /** OpenLineage's subtypes of a direct dependency: identity, transformation or aggregation. */
  private static String directSubtype(ColumnDependency dependency) {
    return switch (dependency.kind()) {
      case DIRECT -> "IDENTITY";
      case TRANSFORMATION -> "TRANSFORMATION";
      case AGGREGATION -> "AGGREGATION";
    };
  }

  /** OpenLineage's subtypes of an indirect dependency, by the clause that reads the column. */
  private static String indirectSubtype(ConditionDependency condition) {
    return switch (condition.clause()) {
      case JOIN -> "JOIN";
      case GROUP_BY -> "GROUP_BY";
      case WHERE, HAVING, QUALIFY -> "FILTER";
    };
  }

  /** The project's column lineage, derived once (the project does not change in a workspace). */
  private synchronized ProjectLineage lineage() {
    if (lineage == null) {
      lineage = ProjectLineage.of(workspace.project());
    }
    return lineage;
  }
}
