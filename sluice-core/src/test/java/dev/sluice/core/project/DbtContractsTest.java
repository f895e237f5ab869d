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
            versions:
              - v: 1
        """);

    assertThatThrownBy(this::run)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining(
            "Invalid value for on_schema_change: ignore. Models materialized as incremental with"
                + " contracts enabled must set on_schema_change to 'append_new_columns' or 'fail'")
        .hasMessageContaining("models/schema.yml:12: Contracted models require data_type")
        .hasMessageContaining(
            "models/schema.yml:9: The foreign_key constraint of model 'orders' is not supported")
        .hasMessageContaining("names column 'missing', which its properties do not declare")
        .hasMessageContaining("models/schema.yml:13: The data_type 'decimal(10,2)); drop table")
        .hasMessageContaining(
            "models/schema.yml:16: The versions of model 'orders' are not supported by Sluice yet");
  }
}
