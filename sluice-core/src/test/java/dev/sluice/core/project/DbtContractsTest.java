package dev.sluice.core.project;

import static dev.sluice.core.project.DbtHookInsertsTest.step;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's enforced model contracts, held as dbt-duckdb holds them: the model's SQL gives exactly the
 * declared columns and data types (else dbt's table of mismatches, and nothing is published), the
 * table has the declared columns in their order, and the constraints DuckDB enforces keep rows that
 * break them from being published.
 */
class DbtContractsTest {
  @TempDir Path project;

  private static final String PROPERTIES =
      """
      version: 2
      models:
        - name: orders
          config:
            contract: {enforced: true}
          columns:
            - name: id
              data_type: int
              constraints: [{type: not_null}, {type: primary_key}]
            - name: name
              data_type: string
            - name: amount
              data_type: decimal(10,2)
              constraints: [{type: check, expression: "amount >= 0", name: positive}]
      """;

  private void writeProject(String materialized, String select) {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "models/orders.sql",
        "{{ config(materialized='" + materialized + "') }}\n" + select + "\n");
    write(project, "models/schema.yml", PROPERTIES);
    write(project, "models/counted.sql", "select count(*) as orders from {{ ref('orders') }}\n");
  }

  private RunResult run() {
    return DbtHookInsertsTest.run(project);
  }

  private List<List<String>> query(String sql) {
    return DbtHookInsertsTest.query(project, sql);
  }

  @Test
  void aModelThatKeepsItsContractIsBuiltWithTheDeclaredColumnsInTheirOrder() {
    // the SQL's columns in another order; int and string are DuckDB's names of INTEGER and VARCHAR
    writeProject(
        "table",
        "select 'first' as name, cast(12.5 as decimal(10,2)) as amount, 1 as id"
            + " union all select 'second', cast(0 as decimal(10,2)), 2");

    RunResult result = run();

    assertThat(step(result, "orders").status())
        .as(step(result, "orders").error())
        .isEqualTo(StepStatus.SUCCEEDED);
    assertThat(query("select * from main.orders order by id"))
        .containsExactly(List.of("1", "first", "12.50"), List.of("2", "second", "0.00"));
    // its constraints ran as the contract's checks
    assertThat(step(result, "orders").checks())
        .extracting(check -> check.check().name())
        .contains("contract:not_null(id)", "contract:primary_key(id)", "contract:check(positive)");
  }

  /**
   * The manifest's {@code contract.checksum} is dbt's (dbt-core 1.10's {@code
   * build_contract_checksum}: the SHA-256 of each column's name, data_type and constraints as
   * Python prints them, then the materialization and the model's constraints), computed for this
   * model by that code's Python with dbt-common's constraint dataclasses; an append model's
   * unique_key is in its config, as dbt's manifest gives it. The manifest validates against dbt's
   * schema.
   */
  @Test
  void theManifestHasDbtsContractChecksumAndAnAppendModelsUniqueKey() throws Exception {
    writeProject("table", "select 1 as id, 'first' as name, cast(12.5 as decimal(10,2)) as amount");
    write(
        project,
        "models/schema.yml",
        PROPERTIES
            + """
                constraints: [{type: unique, columns: [id, name]}]
              - name: appended
                config:
                  materialized: incremental
                  incremental_strategy: append
                  unique_key: id
            """);
    write(project, "models/appended.sql", "select 1 as id\n");
    RunResult result = run();
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    Project loaded = Project.load(project, java.util.Map.of());
    dev.sluice.core.run.DbtRunResults.write(loaded, result, "run", java.time.Instant.now());

    com.fasterxml.jackson.databind.JsonNode manifest =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(project.resolve("target/manifest.json").toFile());
    com.fasterxml.jackson.databind.JsonNode orders = manifest.get("nodes").get("model.shop.orders");
    assertThat(orders.get("contract").get("checksum").asText())
        .isEqualTo("a218b60c406dcbcacf68d3f110232d1f0d9986979039671d7d002afbec45348b");
    assertThat(
            manifest
                .get("nodes")
                .get("model.shop.counted")
                .get("contract")
                .get("checksum")
                .isNull())
        .isTrue();
    assertThat(
            manifest
                .get("nodes")
                .get("model.shop.appended")
                .get("config")
                .get("unique_key")
                .asText())
        .isEqualTo("id");
    Path schemas = DbtArtifactsTest.schemas();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isRegularFile(schemas.resolve("manifest-v12.json")), "no dbt schemas");
    assertThat(DbtArtifactsTest.errors(schemas.resolve("manifest-v12.json"), manifest)).isEmpty();
  }

  @Test
  void aModelThatBreaksItsContractPublishesNothingAndSaysWhatDiffersAsDbtDoes() {
    writeProject("table", "select 1 as id, 'first' as name, cast(12.5 as decimal(10,2)) as amount");
    assertThat(step(run(), "orders").status()).isEqualTo(StepStatus.SUCCEEDED);

    writeProject("table", "select 'x' as id, 'second' as name, 2.5 as amount_usd");
    RunResult broken = run();

    StepResult orders = step(broken, "orders");
    assertThat(orders.status()).isEqualTo(StepStatus.FAILED);
    assertThat(orders.error())
        .contains(
            "Model orders (models/orders.sql): This model has an enforced contract that failed.")
        .contains(
            """
            | column_name | definition_type | contract_type | mismatch_reason       |
            | ----------- | --------------- | ------------- | --------------------- |
            | amount      |                 | DECIMAL(10,2) | missing in definition |
            | amount_usd  | DECIMAL(2,1)    |               | missing in contract   |
            | id          | VARCHAR         | INTEGER       | data type mismatch    |
            """)
        .contains("Nothing was published")
        .contains("models/schema.yml:");
    assertThat(step(broken, "counted").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(query("select * from main.orders")).containsExactly(List.of("1", "first", "12.50"));

    // the columns are right, a row breaks a constraint: the contract's check blocks it
    writeProject(
        "table",
        "select 1 as id, 'first' as name, cast(12.5 as decimal(10,2)) as amount"
            + " union all select null, 'second', cast(-1 as decimal(10,2))");
    StepResult constrained = step(run(), "orders");
    assertThat(constrained.status()).isEqualTo(StepStatus.FAILED);
    assertThat(constrained.checks())
        .filteredOn(check -> !check.passed())
        .extracting(check -> check.check().name())
        .contains("contract:not_null(id)", "contract:check(positive)");
    assertThat(query("select * from main.orders")).containsExactly(List.of("1", "first", "12.50"));
  }

  @Test
  void viewsAndIncrementalModelsAreHeldToTheirColumns() {
    writeProject("view", "select 1 as id, 'first' as name, cast(12.5 as decimal(10,2)) as amount");
    assertThat(step(run(), "orders").status()).isEqualTo(StepStatus.SUCCEEDED);
    writeProject("view", "select 1 as id, 'first' as name");
    StepResult view = step(run(), "orders");
    assertThat(view.status()).isEqualTo(StepStatus.FAILED);
    assertThat(view.error()).contains("| amount      |                 | DECIMAL(10,2) |");

    // an incremental model, built in full and then merged on its key, in the declared order
    write(
        project,
        "models/orders.sql",
        "{{ config(materialized='incremental', unique_key='id',"
            + " on_schema_change='append_new_columns') }}\n"
            + "select 'n' || cast(id as varchar) as name, cast(id as decimal(10,2)) as amount, id"
            + " from (select unnest([1, 2]) as id)"
            + " {% if is_incremental() %} union all select 'three', cast(3 as decimal(10,2)), 3 {% endif %}\n");
    assertThat(step(run(), "orders").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(step(run(), "orders").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(query("select * from main.orders order by id"))
        .containsExactly(
            List.of("1", "n1", "1.00"), List.of("2", "n2", "2.00"), List.of("3", "three", "3.00"));
  }

  /**
   * dbt 1.9's foreign_key constraint ({@code to: ref(...)}, {@code to_columns}; the older {@code
   * expression: customers (id)}): a blocking check that each key with no null is a key of the
   * referenced model's published table, which is built first, as DuckDB's foreign key refuses
   * dbt-duckdb's insert; a {@code to} that names nothing is a problem at its line.
   */
  @Test
  void aForeignKeyIsABlockingCheckAgainstTheReferencedModelBuiltFirst() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "models/customers.sql",
        "{{ config(materialized='table') }}\nselect 1 as id union all select 2\n");
    write(
        project,
        "models/orders.sql",
        "{{ config(materialized='table') }}\n"
            + "select 10 as order_id, 1 as customer_id union all select 11, 2"
            + " union all select 12, null\n");
    String properties =
        """
        models:
          - name: orders
            config:
              contract: {enforced: true}
            constraints:
              - {type: foreign_key, columns: [order_id], expression: "main.customers (id)",
                 name: order_is_customer}
            columns:
              - name: order_id
                data_type: int
              - name: customer_id
                data_type: int
                constraints: [{type: foreign_key, to: "ref('customers')", to_columns: [id]}]
        """;
    // first without the older expression form (order ids are no customer ids: it would fail)
    write(
        project,
        "models/schema.yml",
        properties.replace(
            "      - {type: foreign_key, columns: [order_id], expression: \"main.customers (id)\",\n"
                + "         name: order_is_customer}\n",
            "      - {type: not_null, columns: [order_id]}\n"));

    RunResult first = run();
    assertThat(first.succeeded()).as(first.toString()).isTrue();
    // customers was built before orders, whose check read it
    assertThat(first.steps())
        .extracting(StepResult::asset)
        .containsSubsequence("customers", "orders");
    assertThat(step(first, "orders").checks())
        .extracting(check -> check.check().name())
        .contains("contract:foreign_key(customer_id)");
    try (dev.sluice.core.Workspace workspace = dev.sluice.core.Workspace.open(project)) {
      assertThat(workspace.project().models().get("orders").refs()).contains("customers");
    }

    // a customer that does not exist: the check blocks, orders keeps its published rows
    write(
        project,
        "models/orders.sql",
        "{{ config(materialized='table') }}\nselect 10 as order_id, 3 as customer_id\n");
    StepResult dangling = step(run(), "orders");
    assertThat(dangling.status()).isEqualTo(StepStatus.FAILED);
    assertThat(dangling.checks())
        .filteredOn(check -> !check.passed())
        .extracting(check -> check.check().name())
        .containsExactly("contract:foreign_key(customer_id)");
    assertThat(query("select count(*) from main.orders")).containsExactly(List.of("3"));

    // the older expression form is held too: order ids 10 are no customer ids
    write(
        project,
        "models/orders.sql",
        "{{ config(materialized='table') }}\nselect 10 as order_id, 1 as customer_id\n");
    write(project, "models/schema.yml", properties);
    StepResult expression = step(run(), "orders");
    assertThat(expression.status()).isEqualTo(StepStatus.FAILED);
    assertThat(expression.checks())
        .filteredOn(check -> !check.passed())
        .extracting(check -> check.check().name())
        .containsExactly("contract:foreign_key(order_is_customer)");

    // a 'to' that names nothing, and one that is no ref()
    write(
        project,
        "models/schema.yml",
        properties
            .replace("expression: \"main.customers (id)\"", "to: customers, to_columns: [id]")
            .replace("ref('customers')", "ref('customer')"));
    assertThatThrownBy(this::run)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining(
            "models/schema.yml:11: The foreign_key constraint of model 'orders' references"
                + " 'customer' (to: ref('customer')), which is no model or seed of the project")
        .hasMessageContaining("did you mean 'customers'?")
        .hasMessageContaining(
            "models/schema.yml:4: The foreign_key constraint of model 'orders' has to: customers,"
                + " which is not ref('model') or source('source', 'table')");
  }

  @Test
  void whatDbtRefusesOrSluiceCannotHoldIsAProblemAtItsLine() {
    writeProject(
        "incremental", "select 1 as id, 'first' as name, cast(12.5 as decimal(10,2)) as amount");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            config:
              contract: {enforced: true}
            constraints:
              - {type: unique, columns: [id, missing]}
            columns:
              - name: id
                data_type: int
                constraints: [{type: foreign_key, to: "ref('customers')", to_columns: [id]}]
              - name: name
              - name: amount
                data_type: "decimal(10,2)); drop table x; --"
        """);

    assertThatThrownBy(this::run)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining(
            "Invalid value for on_schema_change: ignore. Models materialized as incremental with"
                + " contracts enabled must set on_schema_change to 'append_new_columns' or 'fail'")
        .hasMessageContaining("models/schema.yml:12: Contracted models require data_type")
        .hasMessageContaining(
            "models/schema.yml:9: The foreign_key constraint of model 'orders' references"
                + " 'customers' (to: ref('customers')), which is no model or seed of the project")
        .hasMessageContaining("names column 'missing', which its properties do not declare")
        .hasMessageContaining("models/schema.yml:13: The data_type 'decimal(10,2)); drop table");
  }
}
