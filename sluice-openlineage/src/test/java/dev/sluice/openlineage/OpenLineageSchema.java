package dev.sluice.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates an event against OpenLineage's JSON schema, and each of its facets against the schema
 * its {@code _schemaURL} names, from the spec files in the test resources (openlineage-spec/,
 * copied from the OpenLineage repository at the client's version). A facet whose schema is not
 * there is a problem too, so that no facet goes unchecked.
 */
final class OpenLineageSchema {
  private static final String SPEC = "https://openlineage.io/spec/";
  private static final String EVENT = SPEC + "2-0-2/OpenLineage.json";

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          builder ->
              builder.schemaMappers(
                  mappers -> mappers.mapPrefix(SPEC, "classpath:openlineage-spec/")));
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenLineageSchema() {}

  /** What is wrong with {@code event}; empty when it is valid. */
  static List<String> problems(JsonNode event) {
    List<String> problems = new ArrayList<>();
    for (ValidationMessage message : schema(EVENT).validate(event)) {
      problems.add("event: " + message.getMessage());
    }
    facets(event.path("run").path("facets"), "run", problems);
    facets(event.path("job").path("facets"), "job", problems);
    for (String list : List.of("inputs", "outputs")) {
      for (JsonNode dataset : event.path(list)) {
        String where = list + " " + dataset.path("name").asText();
        facets(dataset.path("facets"), where, problems);
        facets(dataset.path("inputFacets"), where, problems);
        facets(dataset.path("outputFacets"), where, problems);
      }
    }
    return problems;
  }

  /** The names of the facets at {@code facets}. */
  static Set<String> names(JsonNode facets) {
    Set<String> names = new java.util.TreeSet<>();
    facets.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void facets(JsonNode facets, String where, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = facets.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> facet = it.next();
      String url = facet.getValue().path("_schemaURL").asText("");
      if (!url.startsWith(SPEC)) {
        problems.add(where + " facet " + facet.getKey() + ": no OpenLineage _schemaURL: " + url);
        continue;
      }
      try {
        for (ValidationMessage message : schema(url).validate(facet.getValue())) {
          problems.add(where + " facet " + facet.getKey() + ": " + message.getMessage());
        }
      } catch (RuntimeException e) {
        problems.add(where + " facet " + facet.getKey() + ": cannot load " + url + ": " + e);
      }
    }
  }

  private static JsonSchema schema(String url) {
    return SCHEMAS.computeIfAbsent(url, key -> FACTORY.getSchema(SchemaLocation.of(key), CONFIG));
  }
}
