package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectLoaderTest {
  @TempDir Path root;

  private void writeGoodProject() {
    write(
        root,
        "sluice.yaml",
        """
        name: shop
        threads: 2
        catalog:
          user: ${env:SHOP_CATALOG_USER}
          password: ${file:secrets/catalog_password}
        vars:
          currency: EUR
          min_amount: 10
        """);
    write(root, "secrets/catalog_password", "s3cret\n");
    write(
        root,
        "sources/shop.yaml",
        """
        description: Exports of the shop's order system
        tables:
          - name: orders
            path: data/orders/*.csv
            mode: append
            on_error: quarantine
            csv:
              delimiter: ";"
              header: true
              quote: '"'
            description: One row per order
            owner: sales-data
            tags: [sales]
            columns:
              - name: order_id
                type: bigint
                description: Order key
                checks: [not_null, unique]
              - name: status
                type: varchar
                checks:
                  - accepted_values: {values: [placed, shipped, returned]}
              - name: amount
                type: decimal(10, 2)
            checks:
              - row_count: {min: 1}
          - name: customers
            path: data/customers.json
            mode: full
        """);
    write(root, "seeds/countries.csv", "code,name\nFI,Finland\n");
    write(
        root,
        "models/curated/orders_clean.sql",
        """
        {{ config(materialized='incremental', unique_key='order_id') }}
        select o.order_id, o.amount, '{{ var("currency") }}' as currency, c.name
        from {{ source('shop', 'orders') }} o
        join {{ ref('customers_clean') }} c on c.customer_id = o.customer_id
        {% if is_incremental() %}
        where o.order_id > (select max(order_id) from {{ this }})
        {% endif %}
        """);
    write(
        root,
        "models/curated/orders_clean.yaml",
        """
        models:
          - name: orders_clean
            description: Orders with their customer
            owner: sales-data
            tier: silver
            tags: [sales, orders]
            materialized: table
            columns:
              - name: order_id
                type: bigint
                checks: [not_null, unique]
              - name: amount
                checks:
                  - expression: {expression: "amount >= 0", severity: warn}
            checks:
              - relationships: {column: customer_id, to: customers_clean, field: customer_id}
              - sql:
                  name: no_negative
                  query: "select * from {{ this }} where amount < {{ var('min_amount') }}"
        """);
    write(
        root,
        "models/curated/customers_clean.sql",
        """
        select c.*, k.name as country
        from {{ source('shop', 'customers') }} c
        join {{ ref('countries') }} k on k.code = c.country_code
        """);
    write(
        root,
        "models/published/revenue.sql",
        """
        select day, sum(amount) as revenue, '{{ var('region', 'emea') }}' as region
        from {{ ref('orders_clean') }}
        group by day
        """);
    write(
        root,
        "models/marts/customer_value.sql",
        "{{ config(unique_key=['customer_id', 'day'], materialized='view') }}\n"
            + "select customer_id, sum(amount) from {{ ref('orders_clean') }} group by 1\n");
    write(
        root,
        "models/marts/customer_value.yml",
        """
        models:
          - name: customer_value
            zone: published
            materialized: table
        """);
  }

  @Test
  void loadsAGoodProject() {
    writeGoodProject();

    Project project = Project.load(root, Map.of("SHOP_CATALOG_USER", "loader"));

    assertThat(project.root()).isEqualTo(root.toAbsolutePath().normalize());
    ProjectConfig config = project.config();
    assertThat(config.name()).isEqualTo("shop");
    assertThat(config.threads()).isEqualTo(2);
    assertThat(config.warehouse()).isEqualTo(project.root().resolve("warehouse"));
    assertThat(config.catalogUrl())
        .isEqualTo("jdbc:sqlite:" + project.root().resolve(".sluice/catalog.db"));
    assertThat(config.stateUrl())
        .isEqualTo("jdbc:sqlite:" + project.root().resolve(".sluice/state.db"));
    assertThat(config.catalogProperties())
        .containsEntry("user", "loader")
        .containsEntry("password", "s3cret");
    assertThat(config.toString()).doesNotContain("s3cret");
    assertThat(config.vars()).containsEntry("currency", "EUR").containsEntry("min_amount", 10);

    SourceDef shop = project.sources().get("shop");
    assertThat(shop.connector()).isEqualTo("file");
    assertThat(shop.description()).isEqualTo("Exports of the shop's order system");
    SourceTableDef orders = project.sourceTable("shop", "orders").orElseThrow();
    assertThat(orders.tableName()).isEqualTo(new TableName("raw", "shop_orders"));
    assertThat(orders.assetName()).isEqualTo("shop.orders");
    assertThat(orders.origin()).isEqualTo("data/orders/*.csv");
    assertThat(orders.mode()).isEqualTo(LoadMode.APPEND);
    assertThat(orders.onError()).isEqualTo(OnError.QUARANTINE);
    assertThat(orders.options())
        .containsEntry("path", "data/orders/*.csv")
        .containsEntry("mode", "append")
        .containsEntry("delimiter", ";")
        .containsEntry("header", "true")
        .containsEntry("quote", "\"");
    assertThat(orders.owner()).isEqualTo("sales-data");
    assertThat(orders.tags()).containsExactly("sales");
    assertThat(orders.columns())
        .extracting(ColumnDef::name)
        .containsExactly("order_id", "status", "amount");
    assertThat(orders.columns().get(0).checks())
        .extracting(CheckDef::name)
        .containsExactly("not_null(order_id)", "unique(order_id)");
    CheckDef acceptedValues = orders.columns().get(1).checks().get(0);
    assertThat(acceptedValues.type()).isEqualTo("accepted_values");
    assertThat(acceptedValues.column()).isEqualTo("status");
    assertThat(acceptedValues.arguments())
        .containsEntry("values", List.of("placed", "shipped", "returned"));
    assertThat(acceptedValues.location()).isEqualTo(new Location("sources/shop.yaml", 22));
    assertThat(orders.columns().get(2).type()).isEqualTo("decimal(10, 2)");
    assertThat(orders.checks().get(0).arguments()).containsEntry("min", 1);
    SourceTableDef customers = project.sourceTable("shop", "customers").orElseThrow();
    // the file connector tells the format from the extension when it loads
    assertThat(customers.options()).containsEntry("path", "data/customers.json");
    assertThat(customers.options()).doesNotContainKey("format");
    assertThat(customers.mode()).isEqualTo(LoadMode.FULL);
    assertThat(customers.onError()).isEqualTo(OnError.FAIL);
    assertThat(project.sourceTable("shop", "nope")).isEmpty();

    SeedDef countries = project.seeds().get("countries");
    assertThat(countries.tableName()).isEqualTo(new TableName("curated", "countries"));
    assertThat(countries.csvFile()).isEqualTo(Path.of("seeds/countries.csv"));

    ModelDef ordersClean = project.models().get("orders_clean");
    assertThat(ordersClean.sqlFile()).isEqualTo(Path.of("models/curated/orders_clean.sql"));
    assertThat(ordersClean.zone()).isEqualTo(Zone.CURATED);
    assertThat(ordersClean.materialization())
        .as("config() in the SQL wins over the properties")
        .isEqualTo(Materialization.INCREMENTAL);
    assertThat(ordersClean.uniqueKey()).containsExactly("order_id");
    assertThat(ordersClean.description()).isEqualTo("Orders with their customer");
    assertThat(ordersClean.tier()).isEqualTo("silver");
    assertThat(ordersClean.tags()).containsExactly("sales", "orders");
    assertThat(ordersClean.refs()).containsExactly("customers_clean");
    assertThat(ordersClean.sources()).containsExactly(new SourceRef("shop", "orders"));
    assertThat(ordersClean.columns().get(1).checks().get(0).severity()).isEqualTo(Severity.WARN);
    CheckDef relationships = ordersClean.checks().get(0);
    assertThat(relationships.column()).isEqualTo("customer_id");
    assertThat(relationships.name()).isEqualTo("relationships(customer_id)");
    assertThat(relationships.arguments())
        .containsOnlyKeys("to", "field")
        .containsEntry("to", "customers_clean");
    assertThat(ordersClean.checks().get(1).name()).isEqualTo("no_negative");

    ModelDef revenue = project.models().get("revenue");
    assertThat(revenue.tableName()).isEqualTo(new TableName("published", "revenue"));
    assertThat(revenue.materialization()).isEqualTo(Materialization.TABLE);
    ModelDef customerValue = project.models().get("customer_value");
    assertThat(customerValue.zone()).as("zone from the properties").isEqualTo(Zone.PUBLISHED);
    assertThat(customerValue.materialization()).isEqualTo(Materialization.VIEW);
    assertThat(customerValue.uniqueKey()).containsExactly("customer_id", "day");

    AssetGraph graph = project.graph();
    assertThat(graph.topologicalOrder())
        .containsExactly(
            "countries",
            "shop.customers",
            "customers_clean",
            "shop.orders",
            "orders_clean",
            "customer_value",
            "revenue");
    assertThat(graph.upstream("orders_clean"))
        .containsExactlyInAnyOrder("shop.orders", "customers_clean");
    assertThat(graph.downstream("orders_clean"))
        .containsExactlyInAnyOrder("revenue", "customer_value");
    assertThat(graph.allUpstream("revenue"))
        .containsExactly(
            "countries", "shop.customers", "customers_clean", "shop.orders", "orders_clean");
    assertThat(graph.kind("shop.orders")).isEqualTo(AssetGraph.Kind.SOURCE_TABLE);
  }

  @Test
  void rendersAModelOfALoadedProject() {
    writeGoodProject();
    Project project = Project.load(root, Map.of("SHOP_CATALOG_USER", "loader"));
    ModelDef ordersClean = project.models().get("orders_clean");

    String sql =
        new SqlRenderer()
            .render(ordersClean, SqlRenderer.RenderContext.of(project, ordersClean, true));

    assertThat(sql.lines().toList())
        .containsExactly(
            "",
            "select o.order_id, o.amount, 'EUR' as currency, c.name",
            "from \"raw\".\"shop_orders\" o",
            "join \"curated\".\"customers_clean\" c on c.customer_id = o.customer_id",
            "",
            "where o.order_id > (select max(order_id) from \"curated\".\"orders_clean\")",
            "");
  }

  @Test
  void missingSluiceYamlSaysHowToCreateOne() {
    assertThatThrownBy(() -> Project.load(root))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("No sluice.yaml")
        .hasMessageContaining("sluice init");
  }

  @Test
  void badYamlSyntaxNamesFileAndLine() {
    write(root, "sluice.yaml", "name: shop\n");
    write(
        root,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/*.csv
           format: csv
        """);

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location().file()).isEqualTo("sources/shop.yaml");
    assertThat(problem.location().line()).isEqualTo(4);
    assertThat(problem.message()).startsWith("Invalid YAML");
  }

  @Test
  void unknownKeySuggestsTheClosestKey() {
    write(root, "sluice.yaml", "name: shop\nthreds: 4\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("sluice.yaml", 2));
    assertThat(problem.message()).contains("Unknown key 'threds'");
    assertThat(problem.hint()).isEqualTo("did you mean 'threads'?");
  }

  @Test
  void unknownKeyInANestedPlaceSuggestsTheClosestKey() {
    write(root, "sluice.yaml", "name: shop\n");
    write(
        root,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/*.csv
            columns:
              - name: id
                tpye: bigint
        """);

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("sources/shop.yaml", 6));
    assertThat(problem.hint()).isEqualTo("did you mean 'type'?");
  }

  @Test
  void wrongValueTypesAreProblems() {
    write(root, "sluice.yaml", "name: shop\nthreads: x\nvars: [a]\n");

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems)
        .extracting(ProjectException.Problem::location)
        .containsExactly(new Location("sluice.yaml", 2), new Location("sluice.yaml", 3));
    assertThat(problems.get(0).message()).isEqualTo("'threads' must be a whole number, got 'x'");
    assertThat(problems.get(1).message()).contains("'vars'").contains("a list");
  }

  @Test
  void unknownRefSuggestsAModelOrSeedAtTheLineOfTheCall() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "seeds/countries.csv", "code\nFI\n");
    write(root, "models/orders.sql", "select 1 as id\n");
    write(
        root,
        "models/report.sql",
        "select *\nfrom {{ ref('order') }}\njoin {{ ref('countrys') }}\n");

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).location()).isEqualTo(new Location("models/report.sql", 2));
    assertThat(problems.get(0).message()).contains("ref('order')");
    assertThat(problems.get(0).hint()).isEqualTo("did you mean 'orders'?");
    assertThat(problems.get(1).location()).isEqualTo(new Location("models/report.sql", 3));
    assertThat(problems.get(1).hint()).isEqualTo("did you mean 'countries'?");
  }

  @Test
  void unknownSourceAndSourceTableAreProblems() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "sources/shop.yaml", "tables:\n  - name: orders\n    path: data/*.csv\n");
    write(
        root,
        "models/a.sql",
        "select * from {{ source('shopp', 'orders') }}\nunion all\n"
            + "select * from {{ source('shop', 'order') }}\n");

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).location()).isEqualTo(new Location("models/a.sql", 1));
    assertThat(problems.get(0).message()).contains("Unknown source 'shopp'");
    assertThat(problems.get(0).hint()).isEqualTo("did you mean 'shop'?");
    assertThat(problems.get(1).location()).isEqualTo(new Location("models/a.sql", 3));
    assertThat(problems.get(1).message()).contains("has no table 'order'");
    assertThat(problems.get(1).hint()).isEqualTo("did you mean 'orders'?");
  }

  @Test
  void cycleIsReportedWithItsPath() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "select * from {{ ref('b') }}\n");
    write(root, "models/b.sql", "select *\nfrom {{ ref('c') }}\n");
    write(root, "models/c.sql", "select * from {{ ref('a') }}\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.message()).isEqualTo("Models form a cycle: a → b → c → a");
    assertThat(problem.location()).isEqualTo(new Location("models/a.sql", 1));
  }

  @Test
  void modelReferringToItselfIsACycle() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "select 1\n\nunion all select * from {{ ref('a') }}\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/a.sql", 3));
    assertThat(problem.message()).contains("a → a");
    assertThat(problem.hint()).contains("{{ this }}");
  }

  @Test
  void duplicateModelNamesNameBothFiles() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/curated/orders.sql", "select 1\n");
    write(root, "models/published/orders.sql", "select 2\n");

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems)
        .extracting(ProjectException.Problem::location)
        .containsExactly(
            new Location("models/curated/orders.sql", 1),
            new Location("models/published/orders.sql", 1));
    assertThat(problems.get(0).message()).contains("also in models/published/orders.sql");
    assertThat(problems.get(1).message()).contains("also in models/curated/orders.sql");
  }

  @Test
  void modelAndSeedWithTheSameNameAreReportedAtBoth() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/countries.sql", "select 1\n");
    write(root, "seeds/countries.csv", "code\nFI\n");

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems)
        .extracting(ProjectException.Problem::location)
        .containsExactly(
            new Location("models/countries.sql", 1), new Location("seeds/countries.csv", 1));
  }

  @Test
  void propertiesForAModelWithoutSqlAreAProblem() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/revenue.sql", "select 1\n");
    write(root, "models/props.yaml", "models:\n  - name: revenu\n    description: x\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/props.yaml", 2));
    assertThat(problem.message()).contains("'revenu'").contains("no .sql file");
    assertThat(problem.hint()).isEqualTo("did you mean 'revenue'?");
  }

  @Test
  void unknownCheckSuggestsTheClosestCheck() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "select 1 as id\n");
    write(
        root,
        "models/a.yaml",
        """
        models:
          - name: a
            columns:
              - name: id
                checks: [not_nul]
        """);

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/a.yaml", 5));
    assertThat(problem.message()).isEqualTo("Unknown check 'not_nul'");
    assertThat(problem.hint()).isEqualTo("did you mean 'not_null'?");
  }

  @Test
  void checksMissingRequiredArgumentsAreProblems() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "select 1 as id\n");
    write(
        root,
        "models/a.yaml",
        """
        models:
          - name: a
            columns:
              - name: status
                checks:
                  - accepted_values: {severity: warn}
            checks:
              - relationships: {column: id, to: a}
              - expression:
              - sql: {name: x}
              - not_null
        """);

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems)
        .extracting(problem -> problem.location().line() + " " + problem.message())
        .containsExactly(
            "6 Check 'accepted_values' needs 'values:'",
            "8 Check 'relationships' needs 'field:'",
            "9 Check 'expression' needs 'expression:'",
            "10 Check 'sql' needs 'query:'",
            "11 Check 'not_null' on model 'a' needs the column it tests");
    assertThat(problems.get(0).hint()).contains("accepted_values: {values: [");
  }

  @Test
  void badColumnTypesAreProblems() {
    write(root, "sluice.yaml", "name: shop\n");
    write(
        root,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/*.csv
            columns:
              - name: id
                type: bigintt
              - name: tags
                type: list<varchar
        """);

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).location()).isEqualTo(new Location("sources/shop.yaml", 6));
    assertThat(problems.get(0).message()).isEqualTo("Unknown column type 'bigintt'");
    assertThat(problems.get(0).hint()).isEqualTo("did you mean 'bigint'?");
    assertThat(problems.get(1).location()).isEqualTo(new Location("sources/shop.yaml", 8));
    assertThat(problems.get(1).message()).contains("expected '>'");
  }

  @Test
  void unknownFormatModeAndOnErrorAreProblems() {
    write(root, "sluice.yaml", "name: shop\n");
    write(
        root,
        "sources/shop.yaml",
        """
        tables:
          - name: orders
            path: data/*.txt
            format: csvv
            mode: replace
            on_error: skip
          - name: items
            path: data/items.txt
        """);

    List<ProjectException.Problem> problems = TestProjects.problems(root);

    assertThat(problems)
        .extracting(problem -> problem.location().line() + " " + problem.message())
        .containsExactly(
            "4 Unknown format 'csvv'",
            "5 Unknown mode 'replace'",
            "6 Unknown on_error 'skip'",
            "8 Cannot tell the format of 'data/items.txt' from its extension");
    assertThat(problems.get(0).hint()).isEqualTo("did you mean 'csv'?");
  }

  @Test
  void sourcePathWithoutMatchingFilesIsFine() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "sources/shop.yaml", "tables:\n  - name: orders\n    path: data/none/*.csv\n");

    assertThat(Project.load(root).sources()).containsKey("shop");
  }

  @Test
  void literalPasswordIsAProblemThatDoesNotShowTheValue() {
    write(
        root,
        "sluice.yaml",
        "name: shop\ncatalog:\n  url: jdbc:postgresql://db/catalog\n  password: hunter2\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("sluice.yaml", 4));
    assertThat(problem.message()).contains("Secrets must be given by reference");
    assertThat(problem.hint()).contains("${env:");
    assertThat(problem.toString()).doesNotContain("hunter2");
  }

  @Test
  void missingEnvironmentVariableIsNamed() {
    write(root, "sluice.yaml", "name: shop\nstate:\n  user: ${env:SLUICE_TEST_MISSING_VAR}\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("sluice.yaml", 3));
    assertThat(problem.message()).contains("SLUICE_TEST_MISSING_VAR").contains("state.user");
  }

  @Test
  void unknownVarWithoutDefaultIsAProblemAtItsLine() {
    write(root, "sluice.yaml", "name: shop\nvars:\n  currency: EUR\n");
    write(root, "models/a.sql", "select\n  '{{ var('curency') }}' as c\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/a.sql", 2));
    assertThat(problem.message()).isEqualTo("Unknown var 'curency'");
    assertThat(problem.hint()).isEqualTo("did you mean 'currency'?");
  }

  @Test
  void jinjaSyntaxErrorNamesFileAndLine() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "select 1\n{% if is_incremental() %}\nwhere x > 1\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/a.sql", 2));
    assertThat(problem.message()).contains("endif");
  }

  @Test
  void unknownConfigKeyIsAProblem() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/a.sql", "{{ config(materialised='view') }}\nselect 1\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/a.sql", 1));
    assertThat(problem.hint()).isEqualTo("did you mean 'materialized'?");
  }

  @Test
  void zoneDirectoryAndDeclaredZoneMustAgree() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/published/a.sql", "{{ config(zone='curated') }}\nselect 1\n");

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/published/a.sql", 1));
    assertThat(problem.message()).contains("its zone is published");
  }

  @Test
  void relationshipsTargetMustExist() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/customers.sql", "select 1 as id\n");
    write(root, "models/orders.sql", "select 1 as customer_id\n");
    write(
        root,
        "models/orders.yaml",
        """
        models:
          - name: orders
            columns:
              - name: customer_id
                checks:
                  - relationships: {to: customer, field: id}
        """);

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.location()).isEqualTo(new Location("models/orders.yaml", 6));
    assertThat(problem.hint()).isEqualTo("did you mean 'customers'?");
  }

  @Test
  void tablesThatChecksReadAreUpstream() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "seeds/countries.csv", "code\nFI\n");
    write(root, "models/customers.sql", "select 1 as id, 'FI' as country\n");
    write(root, "models/orders.sql", "select 1 as customer_id\n");
    write(
        root,
        "models/orders.yaml",
        """
        models:
          - name: orders
            columns:
              - name: customer_id
                checks:
                  - relationships: {to: customers, field: id}
          - name: customers
            checks:
              - sql:
                  name: known_countries
                  query: "select * from {{ this }} where country not in (select code from {{ ref('countries') }})"
        """);

    AssetGraph graph = Project.load(root).graph();

    assertThat(graph.upstream("orders")).containsExactly("customers");
    assertThat(graph.upstream("customers")).containsExactly("countries");
    assertThat(graph.topologicalOrder()).containsExactly("countries", "customers", "orders");
  }

  @Test
  void cycleThroughACheckIsReportedAtTheCheck() {
    write(root, "sluice.yaml", "name: shop\n");
    write(root, "models/customers.sql", "select * from {{ ref('orders') }}\n");
    write(root, "models/orders.sql", "select 1 as customer_id\n");
    write(
        root,
        "models/orders.yaml",
        """
        models:
          - name: orders
            checks:
              - relationships: {column: customer_id, to: customers, field: id}
        """);

    ProjectException.Problem problem = TestProjects.onlyProblem(root);

    assertThat(problem.message()).isEqualTo("Models form a cycle: customers → orders → customers");
    assertThat(problem.location()).isEqualTo(new Location("models/customers.sql", 1));
    assertThat(problem.hint()).contains("relationships");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    write(root, "sluice.yaml", "name: shop\nthreds: 4\n");
    write(root, "models/a.sql", "select * from {{ ref('nope') }}\n");
    write(root, "models/b.yaml", "models:\n  - name: b\n");

    assertThat(TestProjects.problems(root))
        .extracting(problem -> problem.location().file())
        .containsExactly("models/a.sql", "models/b.yaml", "sluice.yaml");
  }
}
