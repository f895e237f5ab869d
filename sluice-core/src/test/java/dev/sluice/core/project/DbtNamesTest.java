package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dbt model's or seed's table is named as dbt names it: its schema by generate_schema_name (the
 * project's own, when it has one), its name by its alias.
 */
class DbtNamesTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        profile: shop
        models:
          shop:
            staging:
              +schema: staging
        seeds:
          shop:
            +schema: seeds
        """);
    write(
        project,
        "profiles.yml",
        """
        shop:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: shop.duckdb
              schema: analytics
            prod:
              type: duckdb
              path: prod.duckdb
              schema: prod_analytics
        """);
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n");
    write(project, "models/staging/stg_orders.sql", "select * from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/revenue.sql",
        "{{ config(alias='revenue_by_status') }}\nselect * from {{ ref('stg_orders') }}\n");
  }

  @Test
  void dbtsDefaultNamesAreTheTargetSchemaAndItsCustomSchemasWithTheAlias() {
    Project loaded = Project.load(project, Map.of());

    assertThat(loaded.seeds().get("raw_orders").tableName())
        .isEqualTo(new TableName("analytics_seeds", "raw_orders"));
    assertThat(loaded.models().get("stg_orders").tableName())
        .isEqualTo(new TableName("analytics_staging", "stg_orders"));
    assertThat(loaded.models().get("revenue").tableName())
        .isEqualTo(new TableName("analytics", "revenue_by_status"));
    // ref() renders the table dbt names
    ModelDef revenue = loaded.models().get("revenue");
    assertThat(
            new SqlRenderer().render(revenue, SqlRenderer.RenderContext.of(loaded, revenue, false)))
        .contains("\"analytics_staging\".\"stg_orders\"");
  }

  @Test
  void aProjectsOwnGenerateSchemaNameIsRenderedAsDbtRendersIt() {
    // the override dbt's documentation suggests: custom schemas as they are, in prod only
    write(
        project,
        "macros/get_custom_schema.sql",
        """
        {% macro generate_schema_name(custom_schema_name, node) -%}
            {%- if node.resource_type == 'seed' -%}
                {{ target.schema }}_{{ node.config.schema }}_{{ target.name }}
            {%- else -%}
                {{ generate_schema_name_for_env(custom_schema_name, node) }}
            {%- endif -%}
        {%- endmacro %}
        """);
    Project dev = Project.load(project, Map.of());
    assertThat(dev.seeds().get("raw_orders").tableName())
        .isEqualTo(new TableName("analytics_seeds_dev", "raw_orders"));
    assertThat(dev.models().get("stg_orders").tableName())
        .isEqualTo(new TableName("analytics", "stg_orders"));

    write(project, "profiles.yml", read("profiles.yml").replace("target: dev", "target: prod"));
    Project prod = Project.load(project, Map.of());
    assertThat(prod.models().get("stg_orders").tableName())
        .isEqualTo(new TableName("staging", "stg_orders"));
    assertThat(prod.models().get("revenue").tableName())
        .isEqualTo(new TableName("prod_analytics", "revenue_by_status"));
  }

  @Test
  void twoModelsOfOneTableAndAnUnusableSchemaAreProblems() {
    write(
        project,
        "models/revenue_copy.sql",
        "{{ config(alias='revenue_by_status') }}\nselect * from {{ ref('stg_orders') }}\n");
    write(
        project,
        "models/odd.sql",
        "{{ config(schema='my-schema') }}\nselect * from {{ ref('stg_orders') }}\n");

    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .anySatisfy(
            text ->
                assertThat(text)
                    .startsWith("models/revenue_copy.sql:1")
                    .contains("'revenue_copy' and 'revenue' are both the table"))
        .anySatisfy(
            text ->
                assertThat(text)
                    .startsWith("models/odd.sql:1")
                    .contains("schema of model 'odd' is 'analytics_my-schema'"));
  }

  @Test
  void policiesNameTheTablesByTheirSchemas() {
    String policies =
        """
        roles:
          - name: analyst
        grants:
          - role: analyst
            privileges: [read]
            on: analytics.revenue_by_status
          - role: analyst
            privileges: [read]
            on: analytics_*.*
        """;
    write(project, "policies.yaml", policies);
    assertThat(Project.load(project, Map.of()).policies()).isNotNull();

    write(project, "policies.yaml", policies.replace("on: analytics.", "on: analytix."));
    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactly(
            "policies.yaml:6: Invalid table pattern: 'analytix' is not a zone or a schema");
  }

  @Test
  void anErrorInTheProjectsMacroNamesItsFile() {
    write(
        project,
        "macros/names.sql",
        """
        {% macro generate_alias_name(custom_alias_name, node) -%}
            {{ node.name | no_such_filter }}
        {%- endmacro %}
        """);

    assertThat(problems(project))
        .extracting(problem -> problem.location().file())
        .contains("macros/names.sql");
  }

  private String read(String file) {
    try {
      return java.nio.file.Files.readString(project.resolve(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
