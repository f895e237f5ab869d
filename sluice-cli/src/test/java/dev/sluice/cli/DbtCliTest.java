package dev.sluice.cli;

import static dev.sluice.cli.InProcessCli.sluice;
import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sluice command in a dbt project's directory: validate, run, test and query it. */
class DbtCliTest {
  @TempDir Path project;

  private void writeProject() throws IOException {
    write(
        project,
        "dbt_project.yml",
        """
        name: 'shop'
        config-version: 2
        profile: 'shop'
        models:
          shop:
            +materialized: table
            staging:
              +materialized: view
              +docs: {node_color: silver}
        """);
    write(
        project,
        "profiles.yml",
        "shop:\n"
            + "  target: dev\n"
            + "  outputs:\n"
            + "    dev: {type: duckdb, path: shop.duckdb, threads: 1}\n");
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,1000\n2,shipped,250\n");
    write(
        project,
        "models/staging/stg_orders.sql",
        "select id as order_id, status, amount / 100 as amount from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/revenue.sql",
        """
        {% set statuses = ['placed', 'shipped'] %}
        select
        {% for status in statuses -%}
          sum(case when status = '{{ status }}' then amount else 0 end) as {{ status }}_amount,
        {% endfor -%}
          sum(amount) as amount
        from {{ ref('stg_orders') }}
        """);
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: stg_orders
            columns:
              - name: order_id
                tests: [unique, not_null]
              - name: status
                tests:
                  - accepted_values:
                      values: ['placed', 'shipped']
        exposures:
          - name: weekly_revenue
            type: dashboard
            owner: {name: Finance, email: finance@example.com}
            depends_on: [ref('revenue')]
        """);
  }

  @Test
  void validateRunTestAndQueryADbtProject() throws IOException {
    writeProject();

    InProcessCli.Result validate = sluice(project, "validate");
    assertThat(validate.code()).as(validate.err()).isZero();
    assertThat(validate.err())
        .contains("Project 'shop' is valid: 0 source tables, 1 seeds, 2 models");

    InProcessCli.Result run = sluice(project, "run");
    assertThat(run.code()).as(run.err()).isZero();

    InProcessCli.Result test = sluice(project, "test", "--select", "stg_orders");
    assertThat(test.code()).as(test.err()).isZero();
    assertThat(test.err()).contains("3 checks, 0 not passed");

    InProcessCli.Result query =
        sluice(
            project,
            "query",
            "--format",
            "csv",
            "select placed_amount, shipped_amount, amount from main.revenue");
    assertThat(query.code()).as(query.err()).isZero();
    assertThat(query.out()).contains("10.0,2.5,12.5");
  }

  @Test
  void seedLsCompileAndBuildWithDbtsSelectors() throws IOException {
    writeProject();

    InProcessCli.Result seed = sluice(project, "seed");
    assertThat(seed.code()).as(seed.err()).isZero();
    assertThat(seed.err()).contains("1 succeeded");

    InProcessCli.Result ls = sluice(project, "ls");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out().lines().skip(2).map(line -> line.split("\\s+")[0]).toList())
        .containsExactly("raw_orders", "stg_orders", "revenue");
    assertThat(sluice(project, "ls", "-s", "config.materialized:view").out())
        .contains("stg_orders")
        .doesNotContain("revenue");
    assertThat(sluice(project, "ls", "-s", "resource_type:seed").out())
        .contains("raw_orders  seed")
        .doesNotContain("stg_orders");
    // @stg_orders: it, what depends on it, and what those read
    assertThat(sluice(project, "ls", "-s", "@stg_orders", "--json").out())
        .contains("\"raw_orders\"", "\"stg_orders\"", "\"revenue\"");
    // exposures: listed when asked for; +exposure:x selects what it reads
    assertThat(sluice(project, "ls", "--resource-type", "exposure").out())
        .contains("weekly_revenue  exposure  dashboard")
        .doesNotContain("stg_orders");
    assertThat(
            sluice(project, "ls", "-s", "+exposure:weekly_revenue", "--resource-type", "model")
                .out()
                .lines()
                .skip(2)
                .map(line -> line.split("\\s+")[0])
                .toList())
        .containsExactly("stg_orders", "revenue");
    InProcessCli.Result noExposure = sluice(project, "ls", "-s", "exposure:weekly_revnue");
    assertThat(noExposure.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noExposure.err()).contains("No exposure 'weekly_revnue'").contains("weekly_revenue");
    InProcessCli.Result badType = sluice(project, "ls", "-s", "resource_type:modle");
    assertThat(badType.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badType.err()).contains("Unknown resource type 'modle'").contains("model");

    InProcessCli.Result compile = sluice(project, "compile", "-s", "revenue");
    assertThat(compile.code()).as(compile.err()).isZero();
    assertThat(compile.out())
        .contains("sum(case when status = 'placed' then amount else 0 end) as placed_amount")
        .contains("\"main\".\"stg_orders\"");
    assertThat(project.resolve("target/compiled/shop/models/revenue.sql")).exists();
    // --json lists every node compiled, as dbt's compile: the models and the tests
    InProcessCli.Result compileJson = sluice(project, "compile", "-s", "stg_orders", "--json");
    assertThat(compileJson.code()).as(compileJson.err()).isZero();
    assertThat(compileJson.out())
        .contains(
            "\"resource_type\" : \"model\"",
            "\"unique_id\" : \"model.shop.stg_orders\"",
            "\"resource_type\" : \"test\"",
            "\"name\" : \"not_null_stg_orders_order_id\"",
            "\"attached_node\" : \"model.shop.stg_orders\"");

    // a failing test of stg_orders skips revenue, which reads it
    write(project, "seeds/raw_orders.csv", "id,status,amount\n1,placed,1000\n1,lost,250\n");
    InProcessCli.Result build = sluice(project, "build");
    assertThat(build.code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(build.err()).contains("1 failed, 1 skipped");
  }

  @Test
  void aTestSluiceDoesNotRunIsABadProjectFileWithItsLine() throws IOException {
    writeProject();
    write(
        project,
        "models/more.yml",
        "version: 2\n"
            + "models:\n"
            + "  - name: revenue\n"
            + "    data_tests:\n"
            + "      - dbt_utils.expression_is_true:\n"
            + "          expression: amount > 0\n");

    InProcessCli.Result validate = sluice(project, "validate");

    assertThat(validate.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(validate.err())
        .contains("models/more.yml:5")
        .contains("Unknown test 'dbt_utils.expression_is_true' of model 'revenue'")
        .contains("the package 'dbt_utils' is not installed");
  }

  @Test
  void snapshotTakesTheSnapshotsAndWritesDbtsArtifacts() throws IOException {
    writeProject();
    write(
        project,
        "snapshots/orders_snapshot.sql",
        """
        {% snapshot orders_snapshot %}
        {{ config(target_schema='snapshots', unique_key='id', strategy='check',
                  check_cols=['status']) }}
        select * from {{ ref('raw_orders') }}
        {% endsnapshot %}
        """);

    assertThat(sluice(project, "seed").code()).isZero();
    InProcessCli.Result snapshot = sluice(project, "snapshot");
    assertThat(snapshot.code()).as(snapshot.err()).isZero();

    InProcessCli.Result query =
        sluice(project, "query", "select count(*) from snapshots.orders_snapshot");
    assertThat(query.out()).contains("2");
    // run_results.json names the snapshot's node and outcome
    assertThat(java.nio.file.Files.readString(project.resolve("target/run_results.json")))
        .contains("\"unique_id\" : \"snapshot.shop.orders_snapshot\"")
        .contains("\"status\" : \"success\"")
        .contains("\"which\" : \"snapshot\""); // the command, as dbt's args.which
    assertThat(project.resolve("target/manifest.json")).exists();
  }

  @Test
  void docsGenerateWritesTheCatalogOfWhatIsBuilt(@TempDir Path sluiceProject) throws IOException {
    writeProject();
    assertThat(sluice(project, "seed").code()).isZero();

    InProcessCli.Result generate = sluice(project, "docs", "generate", "--json");

    assertThat(generate.code()).as(generate.err()).isZero();
    assertThat(generate.out()).contains("\"catalog\" : \"target/catalog.json\"", "\"nodes\" : 1");
    String catalog = java.nio.file.Files.readString(project.resolve("target/catalog.json"));
    assertThat(catalog)
        .contains("\"seed.shop.raw_orders\"", "\"type\" : \"VARCHAR\"")
        .doesNotContain("model.shop.revenue"); // not built yet: dbt leaves it out too
    assertThat(project.resolve("target/manifest.json")).exists();

    write(sluiceProject, "sluice.yaml", "name: plain\n");
    InProcessCli.Result notDbt = sluice(sluiceProject, "docs", "generate");
    assertThat(notDbt.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(notDbt.err()).contains("its catalog is 'sluice catalog'");
  }

  @Test
  void sourceFreshnessWritesSourcesJsonAndFailsOnAStaleSource() throws IOException {
    writeProject();
    write(project, "data/payments.csv", "id,loaded_at\n1,2020-01-01 00:00:00\n");
    write(
        project,
        "models/sources.yml",
        """
        version: 2
        sources:
          - name: bank
            tables:
              - name: payments
                meta: {external_location: 'data/payments.csv'}
                loaded_at_field: loaded_at
                freshness: {error_after: {count: 2, period: day}}
        """);
    assertThat(sluice(project, "run").code()).isZero();

    InProcessCli.Result freshness = sluice(project, "source", "freshness");

    assertThat(freshness.code()).as(freshness.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(freshness.out()).contains("bank.payments", "error", "2020-01-01T00:00:00Z");
    assertThat(java.nio.file.Files.readString(project.resolve("target/sources.json")))
        .contains("\"unique_id\" : \"source.shop.bank.payments\"", "\"status\" : \"error\"");
  }
}
