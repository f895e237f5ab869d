package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dbt project's sources: tables with an external location (dbt-duckdb's external_location, or
 * external: {location}) are read from their files, source() reads their rows as dbt-duckdb reads
 * the file, and the tests of their columns run as checks of the load.
 */
class DbtSourcesTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "data/raw_orders.csv",
        "id,user_id,order_date,status\n1,1,2018-01-01,placed\n2,2,2018-01-02,shipped\n"
            + "3,1,2018-01-03,returned\n");
    write(project, "files/payments.csv", "id,order_id,amount\n1,1,10\n2,3,5\n");
    write(
        project,
        "models/sources.yml",
        """
        version: 2
        sources:
          - name: ecom
            schema: raw
            loaded_at_field: order_date
            freshness:
              warn_after: {count: 12, period: hour}
              error_after: {count: 2, period: day}
            meta:
              external_location: "data/{name}.csv"
            tables:
              - name: raw_orders
                columns:
                  - name: id
                    data_tests: [unique, not_null]
                  - name: status
                    data_tests:
                      - accepted_values:
                          values: [placed, shipped, returned]
              - name: payments
                freshness: null
                external:
                  location: files/payments.csv
                columns:
                  - name: order_id
                    data_tests:
                      - relationships:
                          to: source('ecom', 'raw_orders')
                          field: id
        """);
    write(
        project,
        "models/stg_orders.sql",
        "{{ config(materialized='view') }}\nselect * from {{ source('ecom', 'raw_orders') }}\n");
    write(
        project,
        "models/customer_orders.sql",
        """
        select o.user_id as customer_id, count(*) as orders, coalesce(sum(p.amount), 0) as paid
        from {{ ref('stg_orders') }} as o
        left join {{ source('ecom', 'payments') }} as p on p.order_id = o.id
        group by 1
        """);
  }

  @Test
  void sourcesAreReadFromTheirLocationsWithTheirFreshnessAndTests() {
    Project loaded = Project.load(project, Map.of());
    SourceTableDef orders = loaded.sourceTable("ecom", "raw_orders").orElseThrow();
    assertThat(orders.origin()).isEqualTo("data/raw_orders.csv");
    assertThat(orders.freshness().warnAfter()).isEqualTo(Duration.ofHours(12));
    assertThat(orders.freshness().errorAfter()).isEqualTo(Duration.ofDays(2));
    assertThat(orders.freshness().loadedAtField()).isEqualTo("order_date");
    assertThat(orders.allChecks())
        .extracting(CheckDef::name)
        .containsExactly("unique(id)", "not_null(id)", "accepted_values(status)");
    SourceTableDef payments = loaded.sourceTable("ecom", "payments").orElseThrow();
    assertThat(payments.origin()).isEqualTo("files/payments.csv");
    assertThat(payments.freshness()).as("freshness: null turns it off").isNull();

    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.steps())
          .allSatisfy(
              step ->
                  assertThat(step.status())
                      .as(step.asset() + ": " + step.error())
                      .isEqualTo(StepStatus.SUCCEEDED));
      assertThat(
              result.steps().stream()
                  .filter(step -> step.asset().startsWith("ecom."))
                  .flatMap(step -> step.checks().stream()))
          .hasSize(4)
          .allSatisfy(check -> assertThat(check.passed()).isTrue());

      // what dbt-duckdb builds: the view reads the file's columns only, the table joins them
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select * from main.stg_orders order by id"))
          .containsExactly(
              List.of("1", "1", "2018-01-01", "placed"),
              List.of("2", "2", "2018-01-02", "shipped"),
              List.of("3", "1", "2018-01-03", "returned"));
      assertThat(rows(queries, "select * from main.customer_orders order by customer_id"))
          .containsExactly(List.of("1", "2", "15"), List.of("2", "1", "0"));
    }
  }

  @Test
  void aFailingTestOfASourceStopsWhatReadsIt() {
    write(project, "data/raw_orders.csv", "id,user_id,order_date,status\n1,1,2018-01-01,lost\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);

      assertThat(result.succeeded()).isFalse();
      StepResult orders = step(result, "ecom.raw_orders");
      assertThat(orders.checks())
          .filteredOn(check -> !check.passed())
          .extracting(check -> check.check().name(), CheckOutcome::failingRows)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("accepted_values(status)", 1L));
      assertThat(step(result, "customer_orders").status()).isEqualTo(StepStatus.SKIPPED);
    }
  }

  @Test
  void aSourceSluiceCannotReadIsAProblemAtItsLine() {
    write(
        project,
        "models/more.yml",
        """
        version: 2
        sources:
          - name: crm
            tables:
              - name: accounts
              - name: leads
                columns: [{name: id, data_tests: [unique]}]
              - name: contacts
                meta:
                  external_location: "read_csv('crm/contacts.txt', delim='|')"
        """);

    // declared and unused, as dbt accepts it
    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactly(
            "models/more.yml:6: source table 'crm.leads' has no external location: Sluice"
                + " cannot read a table that another tool loads into a DuckDB database, so its data"
                + " tests cannot run",
            "models/more.yml:10: The external location 'read_csv('crm/contacts.txt', delim='|')'"
                + " of source table 'crm.contacts' is not supported");
  }

  /**
   * A source table without a location is the warehouse's relation {@code <schema>.<identifier>}, as
   * dbt reads it: dbt-labs' jaffle-shop seeds its sources into {@code raw} once ({@code dbt seed
   * --vars '{load_source_data: true}'}) and its models read them with source().
   */
  @Test
  void aSourceWithoutALocationReadsTheWarehouseRelationItNames() throws java.io.IOException {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          shop:
            +schema: raw
            jaffle-data:
              +enabled: "{{ var('load_source_data', false) }}"
        """);
    write(
        project,
        "macros/generate_schema_name.sql",
        """
        {% macro generate_schema_name(custom_schema_name, node) %}
          {% if node.resource_type == 'seed' %}{{ custom_schema_name | trim }}
          {% else %}{{ target.schema }}{% endif %}
        {% endmacro %}
        """);
    write(project, "seeds/jaffle-data/raw_customers.csv", "id,name\n1,Ann\n2,Bo\n");
    write(
        project,
        "models/crm.yml",
        """
        version: 2
        sources:
          - name: crm
            schema: raw
            tables:
              - name: customers
                identifier: raw_customers
        """);
    // a view (dbt's default) whose SQL the SQL parser cannot read (jaffle-shop's stg_products
    // casts so), read by a table: the view's inputs are found by the engine's parser
    write(
        project,
        "models/stg_customers.sql",
        "select id as customer_id, upper(name) as name, (id / 100)::numeric(16, 2) as share\n"
            + "from {{ source('crm', 'customers') }}\n");
    write(
        project,
        "models/customers.sql",
        "{{ config(materialized='table') }}\nselect customer_id, name from {{ ref('stg_customers') }}\n");

    Project plain = Project.load(project, Map.of(), Invocation.NONE);
    assertThat(plain.sourceTableName("crm", "customers"))
        .contains(new dev.sluice.api.TableName("raw", "raw_customers"));
    assertThat(plain.seeds()).doesNotContainKey("raw_customers");
    // dbt's manifest lists it with the other sources, and the model depends on it
    com.fasterxml.jackson.databind.node.ObjectNode manifest =
        new DbtArtifacts(plain).manifest("invocation", java.time.Instant.EPOCH);
    com.fasterxml.jackson.databind.JsonNode source =
        manifest.path("sources").path("source.shop.crm.customers");
    assertThat(source.path("schema").asText()).isEqualTo("raw");
    assertThat(source.path("identifier").asText()).isEqualTo("raw_customers");
    assertThat(source.path("original_file_path").asText()).isEqualTo("models/crm.yml");
    assertThat(
            manifest
                .path("nodes")
                .path("model.shop.stg_customers")
                .path("depends_on")
                .path("nodes"))
        .extracting(com.fasterxml.jackson.databind.JsonNode::asText)
        .containsExactly("source.shop.crm.customers");
    java.nio.file.Path schemas = DbtArtifactsTest.schemas();
    if (java.nio.file.Files.isRegularFile(schemas.resolve("manifest-v12.json"))) {
      assertThat(DbtArtifactsTest.errors(schemas.resolve("manifest-v12.json"), manifest)).isEmpty();
    }

    // not loaded yet: the step says what it reads and how to load it
    try (Workspace workspace = Workspace.open(plain)) {
      StepResult step =
          step(new Runner(workspace).run(RunOptions.all(), RunListener.NONE), "stg_customers");
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains(
              "reads source('crm', 'customers'), table raw.raw_customers, which the warehouse does"
                  + " not have: load it first");
    }

    // the seeds enabled, the seed builds first and the model reads it
    Project seeding =
        Project.load(
            project,
            Map.of(),
            Invocation.NONE.withVars(Invocation.parseVars("{load_source_data: true}")));
    assertThat(seeding.graph().upstream("stg_customers")).contains("raw_customers");
    try (Workspace workspace = Workspace.open(seeding)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.steps())
          .allSatisfy(
              step -> assertThat(step.status()).as(step.error()).isEqualTo(StepStatus.SUCCEEDED));
    }

    // later runs without the seeds read the table the seed left, as dbt's do
    write(project, "seeds/jaffle-data/raw_customers.csv", "id,name\n1,Ann\n2,Bo\n3,Cy\n");
    try (Workspace workspace = Workspace.open(Project.load(project, Map.of(), Invocation.NONE))) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(rows(new QueryService(workspace), "select * from main.customers order by 1"))
          .as("the seed was not reloaded: its rows are those of the seeding run")
          .containsExactly(List.of("1", "ANN"), List.of("2", "BO"));
    }
  }

  @Test
  void anUnknownSourceGetsADidYouMean() {
    write(project, "models/stg_orders.sql", "select * from {{ source('ecom', 'raw_order') }}\n");

    assertThat(problems(project))
        .extracting(problem -> problem.location() + ": " + problem.message() + " " + problem.hint())
        .singleElement()
        .satisfies(
            text -> assertThat(text).startsWith("models/stg_orders.sql:1").contains("raw_orders"));
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(step -> step.asset().equals(asset)).findFirst().get();
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
