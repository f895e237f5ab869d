package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory with dbt_project.yml is a project: its config tree, properties files, data tests and
 * profile read into Sluice's project model; what Sluice cannot do as dbt does is a problem at its
 * line.
 */
class DbtProjectTest {
  @TempDir Path project;

  /** Copies the fixture {@code src/test/resources/dbt/NAME} into a directory. */
  static void copyFixture(String name, Path target) {
    try {
      Path source = Path.of(DbtProjectTest.class.getResource("/dbt/" + name).toURI());
      try (Stream<Path> files = Files.walk(source)) {
        for (Path file : files.toList()) {
          Path copy = target.resolve(source.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(copy);
          } else {
            Files.copy(file, copy);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void jaffleShopLoadsWithDbtsConfigsTestsAndProfile() {
    copyFixture("jaffle_shop", project);
    Project loaded = Project.load(project, Map.of());

    assertThat(loaded.config().name()).isEqualTo("jaffle_shop");
    assertThat(loaded.config().threads()).as("threads of the duckdb target").isEqualTo(2);
    assertThat(loaded.config().vars()).containsEntry("first_order_year", 2018);
    assertThat(loaded.seeds()).containsOnlyKeys("raw_customers", "raw_orders", "raw_payments");
    assertThat(loaded.models())
        .containsOnlyKeys("stg_customers", "stg_orders", "stg_payments", "customers", "orders");
    // models: jaffle_shop: materialized: table, staging: materialized: view
    assertThat(loaded.models().get("stg_orders").materialization()).isEqualTo(Materialization.VIEW);
    assertThat(loaded.models().get("customers").materialization()).isEqualTo(Materialization.TABLE);
    assertThat(loaded.models().get("stg_orders").tags()).containsExactly("staging");
    assertThat(loaded.models().get("orders").refs()).containsExactly("stg_orders", "stg_payments");
    assertThat(loaded.models().get("customers").description()).startsWith("This table has basic");

    ModelDef orders = loaded.models().get("orders");
    ColumnDef customerId =
        orders.columns().stream().filter(c -> c.name().equals("customer_id")).findFirst().get();
    assertThat(customerId.checks())
        .extracting(CheckDef::type, c -> c.arguments().get("to"), c -> c.arguments().get("field"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("not_null", null, null),
            org.assertj.core.groups.Tuple.tuple("relationships", "customers", "customer_id"));
    ColumnDef method =
        loaded.models().get("stg_payments").columns().stream()
            .filter(c -> c.name().equals("payment_method"))
            .findFirst()
            .get();
    assertThat(method.checks())
        .singleElement()
        .satisfies(
            check -> {
              assertThat(check.type()).isEqualTo("accepted_values");
              assertThat(check.arguments().get("values"))
                  .isEqualTo(List.of("credit_card", "coupon", "bank_transfer", "gift_card"));
            });
    // the relationships test makes customers upstream of orders' checks; dbt-duckdb's default
    // schema is main, which names the table as dbt does
    assertThat(loaded.models().get("orders").tableName())
        .isEqualTo(new TableName("main", "orders"));
  }

  @Test
  void keysSluiceDoesNotActOnAreAcceptedAsDbtAcceptsThem() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        version: '1.0'
        profile: nowhere
        flags: {send_anonymous_usage_stats: false}
        query-comment: null
        dispatch:
          - macro_namespace: dbt_utils
            search_order: [shop, dbt_utils]
        models:
          shop:
            +persist_docs: {relation: true}
            +grants: {select: [reporter]}
            +meta: {owner: data}
            marts:
              +schema: marts
              +alias: x
        """);
    write(
        project,
        "models/marts/a.sql",
        "{{ config(alias='b', schema='s', grants={}) }} select 1 as id\n");
    write(
        project,
        "models/marts/a.yml",
        """
        version: 2
        models:
          - name: a
            access: public
            meta: {owner: me}
            columns:
              - name: id
                data_type: integer
                quote: true
                constraints: [{type: not_null}]
                tests: [not_null]
        sources:
          - name: elsewhere
            tables: [{name: t}]
        exposures:
          - name: dashboard
            type: dashboard
            owner: {email: a@b.c}
        """);

    Project loaded = Project.load(project, Map.of());

    assertThat(loaded.models()).containsOnlyKeys("a");
    assertThat(loaded.models().get("a").columns().get(0).checks())
        .extracting(CheckDef::name)
        .containsExactly("not_null(id)");
  }

  @Test
  void disabledModelsAndSeedsAreLeftOut() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            old:
              +enabled: false
        seeds:
          shop:
            legacy:
              +enabled: false
        """);
    write(project, "models/old/gone.sql", "select 1 as id\n");
    write(project, "models/kept.sql", "select 1 as id\n");
    write(project, "models/off.sql", "{{ config(enabled=false) }}\nselect 1 as id\n");
    write(project, "seeds/legacy.csv", "id\n1\n");
    write(project, "seeds/codes.csv", "id\n1\n");

    Project loaded = Project.load(project, Map.of());

    assertThat(loaded.models()).containsOnlyKeys("kept");
    assertThat(loaded.seeds()).containsOnlyKeys("codes");
  }

  @Test
  void aRefToADisabledModelNamesItAndWhereTheRefIs() {
    write(
        project,
        "dbt_project.yml",
        "name: shop\nmodels:\n  shop:\n    old:\n      +enabled: false\n");
    write(project, "models/old/legacy.sql", "select 1 as id\n");
    write(project, "models/current.sql", "select *\nfrom {{ ref('legacy') }}\n");

    assertThat(problems(project))
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.location().file()).isEqualTo("models/current.sql");
              assertThat(problem.location().line()).isEqualTo(2);
              assertThat(problem.message()).contains("legacy");
            });
  }

  @Test
  void whatSluiceWouldBuildDifferentlyIsAProblemAtItsLine() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        on-run-start:
          - "create table audit (x int)"
        models:
          shop:
            +post-hook: "grant select on {{ this }} to reporter"
            eph:
              +materialized: ephemeral
        seeds:
          shop:
            +delimiter: ";"
        """);
    write(project, "models/eph/e.sql", "select 1 as id\n");
    write(
        project,
        "models/m.sql",
        "{{ config(materialized='incremental', incremental_strategy='microbatch') }}\n"
            + "select 1 as id\n");
    write(project, "seeds/s.csv", "id\n1\n");

    List<Problem> problems = problems(project);

    assertThat(problems)
        .extracting(p -> p.location().toString(), Problem::message)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "dbt_project.yml:3",
                "The on-run-start hook cannot run in Sluice: it writes (create), and Sluice's"
                    + " relations are read-only views of Iceberg tables, which only their own model"
                    + " writes"),
            org.assertj.core.groups.Tuple.tuple(
                "dbt_project.yml:6",
                "The post-hook of model 'e' cannot run in Sluice: it would grant privileges, which"
                    + " Sluice's tables do not take from SQL"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.sql:1", "Microbatch model 'm' has no event_time"));
  }

  @Test
  void badTestsAreProblemsWithTheirLineAndADidYouMean() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/m.sql", "select 1 as id, 'a' as status\n");
    write(
        project,
        "models/m.yml",
        """
        version: 2
        models:
          - name: m
            columns:
              - name: id
                data_tests:
                  - uniqe
                  - dbt_utils.not_empty_string
                  - not_null:
                      config:
                        where: "id > 0"
              - name: status
                tests:
                  - accepted_values:
                      vals: [a]
                  - relationships:
                      to: customers
                      field: id
                  - not_null:
                      config: {severity: loud}
        """);

    List<Problem> problems = problems(project);

    assertThat(problems)
        .extracting(p -> p.location().toString(), Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "models/m.yml:7", "Unknown test 'uniqe' of model 'm' column id"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.yml:8",
                "Unknown test 'dbt_utils.not_empty_string' of model 'm' column id"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.yml:14",
                "Test 'accepted_values' of model 'm' column status needs 'values:' as a list"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.yml:15", "Unknown argument 'vals' of test 'accepted_values'"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.yml:17",
                "'to:' of test 'relationships' must be ref('name') or source('source', 'table'),"
                    + " got 'customers'"),
            org.assertj.core.groups.Tuple.tuple("models/m.yml:20", "Unknown severity 'loud'"));
    assertThat(problems.get(0).hint()).contains("did you mean 'unique'?");
  }

  @Test
  void aProfileOfAnotherDatabaseIsAProblemAndNoProfileIsNone() {
    write(project, "dbt_project.yml", "name: shop\nprofile: warehouse\n");
    write(project, "models/m.sql", "select 1 as id\n");
    assertThat(Project.load(project, Map.of()).config().threads())
        .isEqualTo(ProjectConfig.DEFAULT_THREADS);

    Path profiles = project.resolve("elsewhere");
    write(
        profiles,
        "profiles.yml",
        """
        warehouse:
          target: prod
          outputs:
            prod:
              type: postgres
              host: db
              threads: 8
        """);
    assertThat(problems(project, Map.of("DBT_PROFILES_DIR", profiles.toString())))
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.location().line()).isEqualTo(5);
              assertThat(problem.message())
                  .isEqualTo("Target 'prod' of profile 'warehouse' is of type 'postgres'");
              assertThat(problem.hint()).contains("duckdb");
            });
  }

  @Test
  void envVarReadsTheEnvironmentAndRefTakesThePackage() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/codes.csv", "id\n1\n");
    write(
        project,
        "models/m.sql",
        "select '{{ env_var('PATH') }}' as path, '{{ env_var('SLUICE_SURELY_UNSET', 'eu') }}' as"
            + " region, id from {{ ref('shop', 'codes') }}\n");
    ModelDef model = Project.load(project, Map.of()).models().get("m");
    assertThat(model.refs()).containsExactly("codes");
    assertThat(
            new SqlRenderer()
                .render(model, SqlRenderer.RenderContext.of(Project.load(project), model, false)))
        .contains(
            "'" + System.getenv("PATH") + "' as path", "'eu' as region", "\"main\".\"codes\"");

    write(
        project,
        "models/m.sql",
        "select 1 as id\n, '{{ env_var('SLUICE_SURELY_UNSET') }}' as a\n,"
            + " '{{ env_var('DBT_ENV_SECRET_TOKEN', 'x') }}' as b\n");
    assertThat(problems(project))
        .extracting(p -> p.location().toString(), Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "models/m.sql:2",
                "Environment variable 'SLUICE_SURELY_UNSET' is required but not set"),
            org.assertj.core.groups.Tuple.tuple(
                "models/m.sql:3",
                "env_var('DBT_ENV_SECRET_TOKEN') reads a secret, which a model's SQL may not"));
  }

  @Test
  void aServerSeesEditsOfDbtProjectYmlAndProfilesYml() {
    copyFixture("jaffle_shop", project);
    Map<String, String> before = ProjectFiles.snapshot(project);
    assertThat(before).containsKeys("dbt_project.yml", "profiles.yml");
    write(project, "profiles.yml", "jaffle_shop:\n  outputs: {dev: {type: duckdb, threads: 3}}\n");
    assertThat(ProjectFiles.snapshot(project)).isNotEqualTo(before);
  }

  /**
   * What a server watches, and what workers compare to know they run one revision, is every file
   * dbt reads: other model paths, macros, tests, snapshots, packages (linked too), selectors; never
   * the target path a run writes.
   */
  @Test
  void everyFileDbtReadsIsPartOfTheProjectsRevisionAndTheTargetPathIsNot() throws Exception {
    write(
        project,
        "dbt_project.yml",
        "name: shop\nmodel-paths: [transform]\nmacro-paths: [lib]\ntarget-path: out\n");
    write(project, "transform/m.sql", "select 1 as x\n");
    write(project, "lib/cents.sql", "{% macro cents(c) %}{{ c }} * 100{% endmacro %}\n");
    write(project, "tests/no_rows.sql", "select 1 as x where false\n");
    write(project, "snapshots/s.sql", "{% snapshot s %}select 1 as x{% endsnapshot %}\n");
    write(project, "selectors.yml", "selectors: []\n");
    Path shared = project.resolve("../" + project.getFileName() + "-shared");
    write(shared, "dbt_project.yml", "name: shared\n");
    write(shared, "macros/m.sql", "{% macro one() %}1{% endmacro %}\n");
    java.nio.file.Files.createDirectories(project.resolve("dbt_packages"));
    java.nio.file.Files.createSymbolicLink(project.resolve("dbt_packages/shared"), shared);
    write(project, "out/manifest.json", "{}\n");

    Map<String, String> files = ProjectFiles.snapshot(project);
    assertThat(files)
        .containsKeys(
            "transform/m.sql",
            "lib/cents.sql",
            "tests/no_rows.sql",
            "snapshots/s.sql",
            "selectors.yml",
            "dbt_packages/shared/macros/m.sql")
        .doesNotContainKey("out/manifest.json");
    String digest = ProjectFiles.digest(project);
    write(project, "out/run_results.json", "{}\n");
    assertThat(ProjectFiles.digest(project)).isEqualTo(digest);
    write(project, "lib/cents.sql", "{% macro cents(c) %}({{ c }} * 100){% endmacro %}\n");
    String macroEdited = ProjectFiles.digest(project);
    assertThat(macroEdited).isNotEqualTo(digest);
    write(shared, "macros/m.sql", "{% macro one() %}2{% endmacro %}\n");
    assertThat(ProjectFiles.digest(project)).isNotEqualTo(macroEdited);
  }

  @Test
  void aDbtProjectFileWithoutANameIsAProblem() {
    write(project, "dbt_project.yml", "version: '1.0'\nconfig-version: 1\n");
    assertThat(problems(project))
        .extracting(p -> p.location().toString(), Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "dbt_project.yml:1", "Missing 'name' in dbt_project.yml"));
  }
}
