package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.TableName;
import dev.sluice.core.run.Relations;
import dev.sluice.lake.Lake;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.view.View;

/**
 * What a view model is in the catalog: its DuckDB SQL, its result schema and its properties (the
 * model's fingerprint among them). Promotion replaces production's view with an environment's
 * definition; the promotion record keeps production's definition before as JSON, which a rollback
 * restores.
 *
 * @param schema the schema as Iceberg's JSON
 */
record ViewDefinition(String sql, String schema, Map<String, String> properties) {
  private static final ObjectMapper JSON = new ObjectMapper();

  ViewDefinition {
    requireNonNull(sql, "sql is null");
    requireNonNull(schema, "schema is null");
    properties = Map.copyOf(properties);
  }

  static ViewDefinition of(View view) {
    return new ViewDefinition(
        Relations.viewSql(view), SchemaParser.toJson(view.schema()), view.properties());
  }

  static ViewDefinition fromJson(String json) {
    try {
      return JSON.readValue(json, ViewDefinition.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A promotion's recorded view definition is not JSON", e);
    }
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a view definition as JSON", e);
    }
  }

  /** Whether the other definition has this one's SQL and was built from the same model version. */
  boolean sameQuery(ViewDefinition other) {
    return sql.equals(other.sql)
        && java.util.Objects.equals(
            properties.get(dev.sluice.lake.CarriedState.MODEL_FINGERPRINT),
            other.properties.get(dev.sluice.lake.CarriedState.MODEL_FINGERPRINT));
  }

  /** Makes view {@code name} of production this definition. */
  void replace(Lake lake, TableName name) {
    Schema parsed = SchemaParser.fromJson(schema);
    lake.createOrReplaceView(name, parsed, sql, properties);
  }
}
