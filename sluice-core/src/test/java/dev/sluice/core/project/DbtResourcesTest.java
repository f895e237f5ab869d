package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dbt project's exposures, groups and access, semantic models, metrics and saved queries, and its
 * columns' declared types, constraints and contract: parsed, checked with dbt's messages, listed in
 * the manifest as dbt lists them (validated against dbt's manifest v12 schema), and {@code
 * +exposure:x} selects what an exposure reads.
 */
class DbtResourcesTest {
  @TempDir Path project;

  private void writeProject(String extraProperties) {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,amount,ordered_at\n1,2.5,2026-01-01\n");
    write(
        project,
        "models/staging/stg_orders.sql",
        "select id, amount, ordered_at from {{ ref('raw_orders') }}\n");
    write(project, "models/orders.sql", "select * from {{ ref('stg_orders') }}\n");
    write(project, "models/other.sql", "select 1 as id\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        groups:
          - name: finance
            owner: {name: Finance team, email: finance@example.com}
        models:
          - name: stg_orders
            access: private
            config: {group: finance}
          - name: orders
            config:
              group: finance
              access: public
              contract: {enforced: false}
            constraints:
              - {type: primary_key, columns: [id]}
            columns:
              - name: id
                data_type: bigint
                constraints: [{type: not_null}]
              - name: amount
                data_type: decimal(10,2)
                quote: true
                meta: {unit: EUR}
                tags: [money]
        """
            + extraProperties);
    write(
        project,
        "models/marts/exposures.yml",
        """
        version: 2
        exposures:
          - name: weekly_revenue
            label: Revenue by week
            type: dashboard
            maturity: high
            url: https://bi.example.com/dashboards/1
            description: The board's revenue
            tags: [board]
            depends_on:
              - ref('orders')
              - metric('revenue')
            owner: {name: Finance team, email: finance@example.com}
        semantic_models:
          - name: orders
            model: ref('orders')
            defaults: {agg_time_dimension: ordered_at}
            entities:
              - {name: order, type: primary, expr: id}
            measures:
              - {name: order_total, agg: sum, expr: amount}
              - {name: order_count, agg: count, expr: '1'}
            dimensions:
              - name: ordered_at
                type: time
                type_params: {time_granularity: day}
        metrics:
          - name: revenue
            label: Revenue
            type: simple
            type_params: {measure: order_total}
          - name: orders_count
            label: Orders
            type: simple
            type_params: {measure: {name: order_count, join_to_timespine: true}}
            filter: "{{ Dimension('order__ordered_at') }} > '2026-01-01'"
          - name: revenue_per_order
            label: Revenue per order
            type: ratio
            type_params: {numerator: revenue, denominator: orders_count}
            config: {group: finance}
        saved_queries:
          - name: weekly
            query_params:
              metrics: [revenue, orders_count]
              group_by: ["TimeDimension('metric_time', 'week')"]
              where: ["{{ TimeDimension('metric_time', 'week') }} > '2026-01-01'"]
            exports:
              - name: weekly_export
                config: {export_as: table, schema: exports}
        """);
  }

  @Test
  void theManifestListsTheResourcesAsDbtDoes() throws IOException {
    writeProject("");
    Project loaded = Project.load(project);
    JsonNode manifest =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                new DbtArtifacts(loaded)
                    .manifest("test", Instant.parse("2026-01-01T00:00:00Z"))
                    .toString());

    JsonNode exposure = manifest.get("exposures").get("exposure.shop.weekly_revenue");
    assertThat(exposure.get("type").asText()).isEqualTo("dashboard");
    assertThat(exposure.get("maturity").asText()).isEqualTo("high");
    assertThat(exposure.get("label").asText()).isEqualTo("Revenue by week");
    assertThat(exposure.get("owner").get("email").asText()).isEqualTo("finance@example.com");
    assertThat(exposure.get("fqn"))
        .extracting(JsonNode::asText)
        .containsExactly("shop", "marts", "weekly_revenue");
    assertThat(exposure.get("depends_on").get("nodes"))
        .extracting(JsonNode::asText)
        .containsExactly("model.shop.orders", "metric.shop.revenue");
    assertThat(manifest.get("parent_map").get("exposure.shop.weekly_revenue"))
        .extracting(JsonNode::asText)
        .containsExactly("metric.shop.revenue", "model.shop.orders");
    assertThat(manifest.get("child_map").get("model.shop.orders"))
        .extracting(JsonNode::asText)
        .contains("exposure.shop.weekly_revenue", "semantic_model.shop.orders");
    assertThat(manifest.get("child_map").get("semantic_model.shop.orders"))
        .extracting(JsonNode::asText)
        .containsExactly("metric.shop.orders_count", "metric.shop.revenue");
    assertThat(manifest.get("groups").get("group.shop.finance").get("owner").get("name").asText())
        .isEqualTo("Finance team");
    assertThat(manifest.get("group_map").get("finance"))
        .extracting(JsonNode::asText)
        .containsExactly("model.shop.orders", "model.shop.stg_orders");

    JsonNode semanticModel = manifest.get("semantic_models").get("semantic_model.shop.orders");
    assertThat(semanticModel.get("node_relation").get("relation_name").asText())
        .endsWith("\"main\".\"orders\"");
    assertThat(semanticModel.get("measures").get(0).get("agg").asText()).isEqualTo("sum");
    JsonNode ratio = manifest.get("metrics").get("metric.shop.revenue_per_order");
    assertThat(ratio.get("type_params").get("numerator").get("name").asText()).isEqualTo("revenue");
    assertThat(ratio.get("group").asText()).isEqualTo("finance");
    JsonNode count = manifest.get("metrics").get("metric.shop.orders_count");
    assertThat(count.get("type_params").get("measure").get("join_to_timespine").asBoolean())
        .isTrue();
    assertThat(count.get("filter").get("where_filters").get(0).get("where_sql_template").asText())
        .isEqualTo("{{ Dimension('order__ordered_at') }} > '2026-01-01'");
    JsonNode saved = manifest.get("saved_queries").get("saved_query.shop.weekly");
    assertThat(saved.get("depends_on").get("nodes"))
        .extracting(JsonNode::asText)
        .containsExactly("metric.shop.revenue", "metric.shop.orders_count");
    assertThat(saved.get("exports").get(0).get("config").get("schema_name").asText())
        .isEqualTo("exports");

    // columns, constraints, contract and access as declared
    JsonNode orders = manifest.get("nodes").get("model.shop.orders");
    assertThat(orders.get("columns").get("id").get("data_type").asText()).isEqualTo("bigint");
    assertThat(orders.get("columns").get("id").get("constraints").get(0).get("type").asText())
        .isEqualTo("not_null");
    assertThat(orders.get("columns").get("amount").get("data_type").asText())
        .isEqualTo("decimal(10,2)");
    assertThat(orders.get("columns").get("amount").get("meta").get("unit").asText())
        .isEqualTo("EUR");
    assertThat(orders.get("columns").get("amount").get("quote").asBoolean()).isTrue();
    assertThat(orders.get("constraints").get(0).get("type").asText()).isEqualTo("primary_key");
    assertThat(orders.get("access").asText()).isEqualTo("public");
    assertThat(orders.get("group").asText()).isEqualTo("finance");
    assertThat(orders.get("contract").get("enforced").asBoolean()).isFalse();
    assertThat(manifest.get("nodes").get("model.shop.stg_orders").get("access").asText())
        .isEqualTo("private");
    assertThat(manifest.get("nodes").get("model.shop.other").get("access").asText())
        .isEqualTo("protected");

    Path schemas = DbtArtifactsTest.schemas();
    assumeTrue(
        Files.isRegularFile(schemas.resolve("manifest-v12.json")),
        "dbt's artifact schemas are not in " + schemas);
    assertThat(DbtArtifactsTest.errors(schemas.resolve("manifest-v12.json"), manifest)).isEmpty();
  }

  @Test
  void plusExposureSelectsWhatItReads() {
    writeProject("");
    Selector selector = new Selector(Project.load(project));
    assertThat(selector.select(List.of("+exposure:weekly_revenue"), List.of()))
        .containsExactly("raw_orders", "stg_orders", "orders");
    assertThat(selector.select(List.of("1+exposure:weekly_revenue"), List.of()))
        .containsExactly("orders");
    assertThat(selector.select(List.of("exposure:weekly_revenue"), List.of())).isEmpty();
    assertThat(selector.selectExposures(List.of("resource_type:exposure"), List.of()))
        .containsExactly("weekly_revenue");
    assertThat(selector.selectExposures(List.of("tag:board"), List.of()))
        .containsExactly("weekly_revenue");
    assertThatThrownBy(() -> selector.select(List.of("+exposure:weekly_revnue"), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("No exposure 'weekly_revnue'")
        .hasMessageContaining("weekly_revenue");
  }

  @Test
  void aPrivateModelReadFromAnotherGroupIsDbtsError() {
    writeProject("");
    write(
        project,
        "models/other.sql",
        "select id\n-- the finance team's staging\nfrom {{ ref('stg_orders') }}\n");
    Problem problem = TestProjects.onlyProblem(project);
    assertThat(problem.location().toString()).isEqualTo("models/other.sql:3");
    assertThat(problem.message())
        .isEqualTo(
            "Node model.shop.other attempted to reference node model.shop.stg_orders, which is not"
                + " allowed because the referenced node is private to the 'finance' group");
    assertThat(problem.hint()).contains("group 'finance'");
  }

  @Test
  void unknownGroupsAccessAndReferencesAreProblemsAtTheirLines() {
    writeProject(
        """
          - name: other
            access: privat
        exposures:
          - name: board
            type: dashbord
            owner: {name: Finance team}
            depends_on:
              - ref('ordres')
              - source('shop', 'payments')
              - metric('revenu')
          - name: nobody
            type: notebook
            depends_on: [orders]
        """);
    write(project, "models/other.sql", "{{ config(group='finanse') }}\nselect 1 as id\n");
    List<String> problems = TestProjects.problems(project).stream().map(Problem::toString).toList();
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/schema.yml:26")
                    .contains("Model 'other' has an invalid access 'privat'"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/schema.yml:29")
                    .contains("'type' of exposure 'board' must be one of")
                    .contains("dashboard"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/schema.yml:32")
                    .contains(
                        "Exposure 'exposure.shop.board' (models/schema.yml) depends on a node"
                            + " named 'ordres' which was not found")
                    .contains("orders"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("depends on a source named 'shop.payments' which was not found"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("depends on a metric named 'revenu' which was not found")
                    .contains("revenue"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/schema.yml:35")
                    .contains("Exposure 'nobody' needs an owner"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/schema.yml:37")
                    .contains(
                        "must be ref('model'), source('source', 'table') or metric('metric')"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("models/other.sql:1")
                    .contains("Invalid group 'finanse', expected one of [finance]")
                    .contains("finance"));
  }
}
