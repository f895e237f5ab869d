package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties as dbt-project-evaluator's integration project writes them: a contracted column's
 * {@code data_type} as a template, an exposure that depends on a source read as the warehouse's
 * relation.
 */
class DbtTemplatedPropertiesTest {
  @TempDir Path project;

  @Test
  void aContractedColumnsDataTypeWrittenAsATemplateIsRendered() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            +materialized: table
        """);
    write(project, "models/dim.sql", "select 1 as id\n");
    write(
        project,
        "models/dim.yml",
        """
        version: 2
        models:
          - name: dim
            config:
              contract:
                enforced: true
            columns:
              - name: id
                data_type: "{{ 'UInt8' if target.type in ['clickhouse'] else 'integer' }}"
        """);
    Project loaded = Project.load(project, Map.of()); // no problem: it loads
    assertThat(loaded.models().get("dim").contract().enforced()).isTrue();
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
    }
  }

  @Test
  void anExposureMayDependOnASourceReadAsTheWarehousesRelation() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/m.sql", "select 1 as id\n");
    write(
        project,
        "models/props.yml",
        """
        version: 2
        sources:
          - name: source_1
            schema: real_schema
            tables:
              - name: table_1
        exposures:
          - name: exposure_1
            type: dashboard
            owner:
              name: dave
            depends_on:
              - ref('m')
              - source('source_1', 'table_1')
        """);
    Project.load(project, Map.of()); // no problem: it loads

    write(
        project,
        "models/props.yml",
        """
        version: 2
        exposures:
          - name: exposure_1
            type: dashboard
            owner:
              name: dave
            depends_on:
              - source('source_1', 'table_1')
        """);
    assertThat(TestProjects.problems(project))
        .extracting(dev.sluice.api.ProjectException.Problem::message)
        .anySatisfy(message -> assertThat(message).contains("which was not found"));
  }
}
