package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's versioned models (dbt-project-evaluator's integration model {@code int_model_5}): a model
 * of each version, from {@code <name>_v<v>.sql} or {@code defined_in}, its relation {@code
 * <name>_v<v>}; {@code ref('m')} reads the latest version, {@code ref('m', v=1)} and {@code
 * ref('m', version=3)} the one given; the manifest's node of each is {@code model.<pkg>.m.v<v>}.
 */
class DbtVersionedModelsTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            +materialized: table
        """);
    write(project, "models/dim_v1.sql", "select 1 as id, 'v1' as label\n");
    write(project, "models/dim_v2.sql", "select 2 as id, 'v2' as label\n");
    write(project, "models/dim_three.sql", "select 3 as id, 'v3' as label\n");
    write(
        project,
        "models/dim.yml",
        """
        version: 2
        models:
          - name: dim
            latest_version: 2
            columns:
              - name: id
                data_tests: [not_null]
            versions:
              - v: 1
                deprecation_date: 2024-01-01
              - v: 2
              - v: 3
                defined_in: dim_three
        """);
    write(project, "models/latest.sql", "select label from {{ ref('dim') }}\n");
    write(
        project,
        "models/pinned.sql",
        "select a.label as a, b.label as b from {{ ref('dim', v=1) }} a\n"
            + "cross join {{ ref('shop', 'dim', version=3) }} b\n");
  }

  @Test
  void eachVersionIsAModelAndRefReadsTheLatestOrTheOneGiven() {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();

      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select label from main.latest")).containsExactly(List.of("v2"));
      assertThat(rows(queries, "select a, b from main.pinned"))
          .containsExactly(List.of("v1", "v3"));
      // dbt's relations: <name>_v<v>, the defined_in version's too
      for (String relation : List.of("dim_v1", "dim_v2", "dim_v3")) {
        assertThat(workspace.lake().findTable(new TableName("main", relation)))
            .as(relation)
            .isPresent();
      }
      // each version has the model's tests
      assertThat(workspace.project().models().get("dim_three").allChecks()).hasSize(1);

      JsonNode nodes =
          new DbtArtifacts(workspace.project()).manifest("id", Instant.EPOCH).get("nodes");
      JsonNode v2 = nodes.get("model.shop.dim.v2");
      assertThat(v2.get("name").asText()).isEqualTo("dim");
      assertThat(v2.get("version").asLong()).isEqualTo(2);
      assertThat(v2.get("latest_version").asLong()).isEqualTo(2);
      assertThat(nodes.has("model.shop.dim.v3")).isTrue();
      assertThat(nodes.get("model.shop.latest").get("depends_on").get("nodes").toString())
          .contains("model.shop.dim.v2");
    }
  }

  @Test
  void anUnknownVersionAndAVersionWithoutItsFileAreProblemsAtTheirLines() {
    write(project, "models/latest.sql", "select label from {{ ref('dim', v=4) }}\n");
    write(project, "models/other.sql", "select * from {{ ref('latest', v=1) }}\n");
    write(
        project,
        "models/dim.yml",
        """
        version: 2
        models:
          - name: dim
            versions:
              - v: 1
              - v: 2
              - v: 3
                defined_in: dim_three
              - v: 5
        """);

    List<Problem> problems = problems(project);

    assertThat(problems)
        .extracting(problem -> problem.location().toString(), Problem::message)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "models/dim.yml:9", "Version 5 of model 'dim' has no file dim_v5.sql"),
            org.assertj.core.groups.Tuple.tuple(
                "models/latest.sql:1", "Model 'dim' has no version 4"));
    assertThat(problems)
        .extracting(Problem::message)
        .anySatisfy(message -> assertThat(message).contains("'latest' is not a versioned model"));
  }
}
