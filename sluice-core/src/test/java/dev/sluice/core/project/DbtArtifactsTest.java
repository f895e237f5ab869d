package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.DbtCatalog;
import dev.sluice.core.run.DbtRunResults;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's artifacts of a dbt project validate against dbt's published JSON schemas (manifest v12,
 * run_results v6, from dbt-core 1.10's schemas/, which the team keeps in shared/dbt-schemas beside
 * the repository: see {@link #schemas()}) and say what the run did.
 */
class DbtArtifactsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  @Test
  void manifestAndRunResultsFollowDbtsSchemas() throws IOException {
    write(
        project,
        "dbt_project.yml",
        "name: shop\ntarget-path: build/dbt\nmodels: {shop: {staging: {+materialized: view}}}\n");
    write(project, "seeds/raw_orders.csv", "id,status,customer_id\n1,placed,1\n2,lost,2\n");
    write(project, "seeds/raw_customers.csv", "id,name\n1,ann\n2,bo\n");
    write(
        project,
        "models/staging/stg_orders.sql",
        "select id, status, customer_id from {{ ref('raw_orders') }}\n");
    write(
        project,
        "snapshots/orders_snapshot.sql",
        "{% snapshot orders_snapshot %}\n{{ config(target_schema='snapshots', unique_key='id',"
            + " strategy='check', check_cols='all') }}\nselect * from {{ ref('stg_orders') }}\n"
            + "{% endsnapshot %}\n");
    write(
        project,
        "tests/assert_no_negative_ids.sql",
        "select * from {{ ref('stg_orders') }} where id < 0\n");
    write(
        project,
        "macros/is_lost.sql",
        "{% test is_not_lost(model, column_name) %}select * from {{ model }} where {{ column_name"
            + " }} = 'lost'{% endtest %}\n");
    write(project, "models/docs.md", "{% docs orders %}\nOrders, one a row.\n{% enddocs %}\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: stg_orders
            description: "{{ doc('orders') }}"
            columns:
              - name: id
                description: The order
                data_tests: [unique, not_null]
              - name: status
                data_tests:
                  - is_not_lost: {config: {severity: warn}}
              - name: customer_id
                data_tests:
                  - relationships: {to: ref('raw_customers'), field: id}
        sources:
          - name: bank
            tables:
              - name: payments
                meta: {external_location: 'data/payments.csv'}
                columns:
                  - name: amount
                    data_type: decimal(10, 2)
          # read as the warehouse's relations (no location), as dbt-labs' jaffle-shop reads its seeds
          - name: ecom
            schema: main
            tables:
              - name: customers
                identifier: raw_customers
              - name: refunds
        """);
    write(project, "data/payments.csv", "id,amount\n1,2.5\n");
    Instant finished;
    RunResult result;
    Project loaded;
    try (Workspace workspace = Workspace.open(project)) {
      result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      finished = Instant.now();
      loaded = workspace.project();
      DbtRunResults.write(loaded, result, "build", finished);
      DbtCatalog.generate(workspace, finished);
    }

    Path target = project.resolve("build/dbt");
    JsonNode manifest = JSON.readTree(target.resolve("manifest.json").toFile());
    JsonNode runResults = JSON.readTree(target.resolve("run_results.json").toFile());
    JsonNode catalog = JSON.readTree(target.resolve("catalog.json").toFile());
    // what a manifest reader needs: the nodes, their files and dependencies
    JsonNode nodes = manifest.get("nodes");
    assertThat(nodes.get("model.shop.stg_orders").get("original_file_path").asText())
        .isEqualTo("models/staging/stg_orders.sql");
    assertThat(nodes.get("model.shop.stg_orders").get("fqn"))
        .extracting(JsonNode::asText)
        .containsExactly("shop", "staging", "stg_orders");
    assertThat(nodes.get("model.shop.stg_orders").get("description").asText())
        .isEqualTo("Orders, one a row.");
    assertThat(manifest.get("docs").get("doc.shop.orders").get("block_contents").asText())
        .isEqualTo("Orders, one a row.");
    assertThat(nodes.get("snapshot.shop.orders_snapshot").get("schema").asText())
        .isEqualTo("snapshots");
    assertThat(manifest.get("parent_map").get("snapshot.shop.orders_snapshot"))
        .extracting(JsonNode::asText)
        .containsExactly("model.shop.stg_orders");
    List<String> tests = new ArrayList<>();
    nodes
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (name.startsWith("test.")) {
                tests.add(nodes.get(name).get("name").asText());
              }
            });
    assertThat(tests)
        .containsExactlyInAnyOrder(
            "unique_stg_orders_id",
            "not_null_stg_orders_id",
            "is_not_lost_stg_orders_status",
            "relationships_stg_orders_customer_id__id__ref_raw_customers_",
            "assert_no_negative_ids");
    assertThat(manifest.get("macros").has("macro.shop.test_is_not_lost")).isTrue();
    // a source table's column keeps the data_type its properties declare, as in dbt's manifest
    assertThat(
            manifest
                .get("sources")
                .get("source.shop.bank.payments")
                .get("columns")
                .get("amount")
                .get("data_type")
                .asText())
        .isEqualTo("decimal(10, 2)");

    // run_results: each node's and each test's outcome
    List<String> outcomes = new ArrayList<>();
    runResults
        .get("results")
        .forEach(
            node ->
                outcomes.add(
                    node.get("unique_id").asText().replaceAll("\\.[0-9a-f]{10}$", "")
                        + " "
                        + node.get("status").asText()));
    assertThat(outcomes)
        .contains(
            "seed.shop.raw_orders success",
            "model.shop.stg_orders success",
            "snapshot.shop.orders_snapshot success",
            "test.shop.unique_stg_orders_id pass",
            "test.shop.is_not_lost_stg_orders_status warn",
            "test.shop.assert_no_negative_ids pass");

    // the SQL each model ran, where dbt writes it (run/ and compiled/ in the target path), is its
    // compiled_code in run_results.json and the manifest
    String ran = Files.readString(target.resolve("run/shop/models/staging/stg_orders.sql"));
    assertThat(ran).contains("\"main\".\"raw_orders\"").doesNotContain("ref(");
    assertThat(Files.readString(target.resolve("compiled/shop/models/staging/stg_orders.sql")))
        .isEqualTo(ran);
    JsonNode stgResult = null;
    for (JsonNode node : runResults.get("results")) {
      if (node.get("unique_id").asText().equals("model.shop.stg_orders")) {
        stgResult = node;
      }
    }
    assertThat(stgResult).isNotNull();
    assertThat(stgResult.get("compiled_code").asText()).isEqualTo(ran);
    assertThat(stgResult.get("relation_name").asText()).endsWith("\"main\".\"stg_orders\"");
    assertThat(nodes.get("model.shop.stg_orders").get("compiled_code").asText()).isEqualTo(ran);
    assertThat(nodes.get("model.shop.stg_orders").get("compiled_path").asText())
        .isEqualTo("build/dbt/compiled/shop/models/staging/stg_orders.sql");
    assertThat(runResults.get("args").get("which").asText()).isEqualTo("build");
    // a test's SQL, as it ran, is its compiled_code and in compiled/ and run/, where dbt puts it
    String notNullId = null;
    JsonNode notNullResult = null;
    for (JsonNode node : runResults.get("results")) {
      if (node.get("unique_id").asText().startsWith("test.shop.not_null_stg_orders_id.")) {
        notNullId = node.get("unique_id").asText();
        notNullResult = node;
      }
    }
    assertThat(notNullResult).isNotNull();
    String notNullSql =
        Files.readString(
            target.resolve("compiled/shop/models/schema.yml/not_null_stg_orders_id.sql"));
    assertThat(notNullSql).contains("\"main\".\"stg_orders\"").containsIgnoringCase("is null");
    assertThat(notNullResult.get("compiled_code").asText()).isEqualTo(notNullSql);
    assertThat(nodes.get(notNullId).get("compiled_code").asText()).isEqualTo(notNullSql);
    assertThat(nodes.get(notNullId).get("compiled_path").asText())
        .isEqualTo("build/dbt/compiled/shop/models/schema.yml/not_null_stg_orders_id.sql");
    assertThat(target.resolve("run/shop/tests/assert_no_negative_ids.sql"))
        .content()
        .contains("where id < 0");

    // catalog.json: each built relation's columns with DuckDB's types, as dbt-duckdb's catalog
    JsonNode stgOrders = catalog.get("nodes").get("model.shop.stg_orders");
    assertThat(stgOrders.get("metadata").get("schema").asText()).isEqualTo("main");
    assertThat(stgOrders.get("metadata").get("type").asText()).isEqualTo("VIEW");
    assertThat(stgOrders.get("columns").get("status").get("type").asText()).isEqualTo("VARCHAR");
    assertThat(stgOrders.get("columns").get("status").get("index").asInt()).isEqualTo(2);
    JsonNode rawOrders = catalog.get("nodes").get("seed.shop.raw_orders");
    assertThat(rawOrders.get("metadata").get("type").asText()).isEqualTo("BASE TABLE");
    assertThat(rawOrders.get("columns").get("id").get("type").asText()).isEqualTo("BIGINT");
    assertThat(rawOrders.get("stats").get("row_count").get("value").asLong()).isEqualTo(2);
    assertThat(catalog.get("nodes").has("snapshot.shop.orders_snapshot")).isTrue();
    JsonNode payments = catalog.get("sources").get("source.shop.bank.payments");
    assertThat(payments.get("metadata").get("schema").asText()).isEqualTo("bank");
    assertThat(payments.get("columns").fieldNames())
        .toIterable()
        .containsExactly("id", "amount"); // without the columns Sluice's load adds
    // a source read as the warehouse's relation: that relation's columns, as dbt's catalog has
    // them;
    // one whose relation the warehouse lacks is left out, as dbt leaves it out
    JsonNode customers = catalog.get("sources").get("source.shop.ecom.customers");
    assertThat(customers.get("metadata").get("schema").asText()).isEqualTo("main");
    assertThat(customers.get("metadata").get("name").asText()).isEqualTo("raw_customers");
    assertThat(customers.get("metadata").get("type").asText()).isEqualTo("BASE TABLE");
    assertThat(customers.get("columns").fieldNames()).toIterable().containsExactly("id", "name");
    assertThat(customers.get("columns").get("name").get("type").asText()).isEqualTo("VARCHAR");
    assertThat(customers.get("stats").get("row_count").get("value").asLong()).isEqualTo(2);
    assertThat(customers.get("unique_id").asText()).isEqualTo("source.shop.ecom.customers");
    assertThat(catalog.get("sources").has("source.shop.ecom.refunds")).isFalse();
    // and the manifest written with it carries the columns' types
    JsonNode generated = JSON.readTree(target.resolve("manifest.json").toFile());
    assertThat(
            generated
                .get("nodes")
                .get("model.shop.stg_orders")
                .get("columns")
                .get("status")
                .get("data_type")
                .asText())
        .isEqualTo("VARCHAR");

    // dbt test's run_results.json: the tests alone, args.which test
    DbtRunResults.write(loaded, result, "test", finished);
    JsonNode testResults = JSON.readTree(target.resolve("run_results.json").toFile());
    assertThat(testResults.get("args").get("which").asText()).isEqualTo("test");
    assertThat(testResults.get("results"))
        .isNotEmpty()
        .allSatisfy(node -> assertThat(node.get("unique_id").asText()).startsWith("test."));

    // dbt's published schemas: the team keeps them in shared/, beside the repository
    Path schemas = schemas();
    assumeTrue(
        Files.isRegularFile(schemas.resolve("manifest-v12.json")),
        "dbt's artifact schemas are not in "
            + schemas
            + ": copy dbt-core 1.10's schemas/dbt/{manifest/v12,run-results/v6,catalog/v1,sources/v3}.json"
            + " there as manifest-v12.json, run-results-v6.json, catalog-v1.json and"
            + " sources-v3.json");
    assertThat(errors(schemas.resolve("manifest-v12.json"), manifest)).isEmpty();
    assertThat(errors(schemas.resolve("run-results-v6.json"), runResults)).isEmpty();
    assertThat(errors(schemas.resolve("catalog-v1.json"), catalog)).isEmpty();
    assertThat(errors(schemas.resolve("manifest-v12.json"), generated)).isEmpty();

    assertThat(errors(schemas.resolve("run-results-v6.json"), testResults)).isEmpty();
  }

  static Set<ValidationMessage> errors(Path schemaFile, JsonNode artifact) throws IOException {
    try (InputStream in = Files.newInputStream(schemaFile)) {
      JsonSchema schema =
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
      return schema.validate(artifact);
    }
  }

  /**
   * dbt's published artifact schemas (schemas.getdbt.com, dbt-core 1.10's {@code schemas/dbt}):
   * {@code -Dsluice.dbt.schemas=DIR}, else {@code shared/dbt-schemas} beside the repository, as the
   * team's machines and CI have it.
   */
  static Path schemas() {
    String configured = System.getProperty("sluice.dbt.schemas");
    return configured != null
        ? Path.of(configured)
        : Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/dbt-schemas");
  }
}
