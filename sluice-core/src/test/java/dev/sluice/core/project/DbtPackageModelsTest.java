package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installed package's models, seeds and data tests join the project's graph as dbt loads them
 * (dbt-labs/dbt-project-evaluator is a package of models the project reads with {@code ref()}): its
 * config trees and vars apply to them, the project's tree overriding its, and they are the
 * package's in the manifest and in selection.
 */
class DbtPackageModelsTest {
  @TempDir Path project;

  private void writePackageProject() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        vars:
          threshold: 2
        models:
          shop:
            +materialized: table
          graph_pkg:
            staging:
              +schema: pkg_staging
            unused:
              +enabled: false
        """);
    write(
        project,
        "dbt_packages/graph_pkg/dbt_project.yml",
        """
        name: graph_pkg
        vars:
          threshold: 99
          pkg_label: "{{ 'from_' ~ 'pkg' }}"
        models:
          graph_pkg:
            +materialized: view
            staging:
              +materialized: table
              +schema: staging
        """);
    write(
        project,
        "dbt_packages/graph_pkg/models/staging/stg_items.sql",
        "select id, '{{ var('pkg_label') }}' as label, {{ var('threshold') }} as threshold\n"
            + "from {{ ref('item_seed') }}\n");
    write(project, "dbt_packages/graph_pkg/models/unused.sql", "select 1 as x\n");
    write(
        project,
        "dbt_packages/graph_pkg/models/staging/schema.yml",
        """
        version: 2
        models:
          - name: stg_items
            columns:
              - name: id
                data_tests: [unique, not_null]
        """);
    write(project, "dbt_packages/graph_pkg/seeds/item_seed.csv", "id\n1\n2\n");
    write(
        project,
        "models/report.sql",
        "select count(*) as items from {{ ref('graph_pkg', 'stg_items') }}\n");
  }

  @Test
  void aPackagesModelsSeedsAndTestsBuildWithItsConfigsUnderTheProjects() {
    writePackageProject();
    try (Workspace workspace = Workspace.open(project)) {
      Project loaded = workspace.project();
      assertThat(loaded.models()).containsOnlyKeys("report", "stg_items");
      assertThat(loaded.seeds()).containsOnlyKeys("item_seed");
      ModelDef staged = loaded.models().get("stg_items");
      // the package's tree makes it a table; the project's tree gives its schema
      assertThat(staged.materialization()).isEqualTo(Materialization.TABLE);
      assertThat(staged.tableName()).isEqualTo(new TableName("main_pkg_staging", "stg_items"));
      assertThat(staged.allChecks()).hasSize(2);

      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      QueryService queries = new QueryService(workspace);
      // the project's var wins over the package's; the package's own var (a template) is rendered
      assertThat(rows(queries, "select id, label, threshold from main_pkg_staging.stg_items"))
          .containsExactly(List.of("1", "from_pkg", "2"), List.of("2", "from_pkg", "2"));
      assertThat(rows(queries, "select items from main.report")).containsExactly(List.of("2"));

      JsonNode nodes = new DbtArtifacts(loaded).manifest("id", Instant.EPOCH).get("nodes");
      JsonNode node = nodes.get("model.graph_pkg.stg_items");
      assertThat(node.get("package_name").asText()).isEqualTo("graph_pkg");
      assertThat(node.get("original_file_path").asText()).isEqualTo("models/staging/stg_items.sql");
      assertThat(node.get("path").asText()).isEqualTo("staging/stg_items.sql");
      assertThat(node.get("fqn").toString()).isEqualTo("[\"graph_pkg\",\"staging\",\"stg_items\"]");
      assertThat(nodes.has("seed.graph_pkg.item_seed")).isTrue();
      assertThat(nodes.get("model.shop.report").get("depends_on").get("nodes").toString())
          .contains("model.graph_pkg.stg_items");

      Selector selector = new Selector(loaded);
      assertThat(selector.select(List.of("package:graph_pkg"), List.of()))
          .containsExactlyInAnyOrder("stg_items", "item_seed");
      assertThat(selector.select(List.of("graph_pkg.staging"), List.of()))
          .containsExactly("stg_items");
      assertThat(selector.select(List.of("graph_pkg"), List.of()))
          .containsExactlyInAnyOrder("stg_items", "item_seed");
    }
  }

  /**
   * As dbt-project-evaluator's integration project: the package's seed is disabled by the project's
   * seeds: tree and the project has its own of that name, which is no clash in dbt.
   */
  @Test
  void aPackagesSeedTheProjectDisablesLeavesItsNameToTheProjectsOwn() {
    writePackageProject();
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          graph_pkg:
            item_seed:
              +enabled: false
        """);
    write(project, "seeds/item_seed.csv", "id\n7\n");
    Project.load(project, java.util.Map.of()); // no problem: it loads
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(rows(new QueryService(workspace), "select id from main.item_seed"))
          .containsExactly(List.of("7"));
    }

    // without the project's tree, the two seeds clash, as in dbt
    write(project, "dbt_project.yml", "name: shop\n");
    assertThat(TestProjects.problems(project))
        .extracting(ProjectException.Problem::message)
        .anySatisfy(message -> assertThat(message).contains("Seed 'item_seed' is defined twice"));
  }

  @Test
  void aModelOfAPackagesNameIsAProblemAtBothFiles() {
    writePackageProject();
    write(project, "models/stg_items.sql", "select 1 as id\n");
    assertThatThrownBy(
            () -> {
              try (Workspace workspace = Workspace.open(project)) {
                workspace.project();
              }
            })
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/stg_items.sql:1: Model 'stg_items' is defined twice")
        .hasMessageContaining("also in dbt_packages/graph_pkg/models/staging/stg_items.sql");
  }
}
