package dev.sluice.openlineage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The validation the events test relies on finds broken events and facets. */
class OpenLineageSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String VALID =
      """
      {"eventTime": "2026-12-06T10:00:00Z", "producer": "https://sluice.dev/openlineage/dev",
       "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
       "eventType": "COMPLETE",
       "run": {"runId": "c0c6e638-5062-3853-8dd8-0a2c5f6ad85c"},
       "job": {"namespace": "shop", "name": "orders"},
       "inputs": [], "outputs": [{"namespace": "file:///w", "name": "curated.orders",
         "outputFacets": {"outputStatistics": {
           "_producer": "https://sluice.dev/openlineage/dev",
           "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
           "rowCount": 2}}}]}
      """;

  @Test
  void aValidEventHasNoProblems() throws Exception {
    assertThat(OpenLineageSchema.problems(JSON.readTree(VALID))).isEmpty();
  }

  @Test
  void aRunIdThatIsNoUuidAndAMissingJobAreProblems() throws Exception {
    JsonNode event =
        JSON.readTree(
            VALID
                .replace("c0c6e638-5062-3853-8dd8-0a2c5f6ad85c", "run-42")
                .replace("\"job\": {\"namespace\": \"shop\", \"name\": \"orders\"},", ""));
    assertThat(OpenLineageSchema.problems(event)).isNotEmpty();
  }

  @Test
  void aFacetIsCheckedAgainstItsOwnSchema() throws Exception {
    JsonNode event = JSON.readTree(VALID.replace("\"rowCount\": 2", "\"rowCount\": \"two\""));
    assertThat(OpenLineageSchema.problems(event))
        .anySatisfy(problem -> assertThat(problem).contains("outputStatistics"));
  }

  @Test
  void aFacetWhoseSchemaIsUnknownIsAProblem() throws Exception {
    JsonNode event =
        JSON.readTree(VALID.replace("1-0-2/OutputStatisticsOutputDatasetFacet", "9-9-9/Nope"));
    assertThat(OpenLineageSchema.problems(event))
        .anySatisfy(problem -> assertThat(problem).contains("cannot load"));
  }
}
