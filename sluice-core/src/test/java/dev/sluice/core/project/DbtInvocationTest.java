package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's command-line flags as a dbt project's loading sees them: {@code --vars} over the project's
 * vars, {@code --target} choosing the profile's output, and {@code flags} in templates.
 */
class DbtInvocationTest {
  @TempDir Path project;

  private void writeProject() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        profile: shop
        vars:
          days: 7
          country: NL
          shop:
            region: eu
        """);
    write(
        project,
        "profiles.yml",
        """
        shop:
          target: dev
          outputs:
            dev: {type: duckdb, schema: dev_schema, threads: 2}
            prod: {type: duckdb, schema: analytics, threads: 8}
        """);
    write(
        project,
        "models/m.sql",
        "select {{ var('days') }} as days, '{{ var('country') }}' as country,"
            + " '{{ var('region') }}' as region, {{ flags.FULL_REFRESH }} as full_refresh,"
            + " '{{ flags.WHICH }}' as which, {{ target.threads }} as threads\n");
  }

  private static String sql(Project loaded) {
    ModelDef model = loaded.models().get("m");
    return new SqlRenderer().render(model, SqlRenderer.RenderContext.of(loaded, model, false));
  }

  @Test
  void varsOverrideTheProjectsAndFlagsReachTemplates() {
    writeProject();
    Project plain = Project.load(project, Map.of(), Invocation.NONE);
    assertThat(sql(plain))
        .contains(
            "7 as days",
            "'NL' as country",
            "'eu' as region",
            "False as full_refresh",
            "'run' as which",
            "2 as threads");

    Invocation invocation =
        Invocation.NONE
            .withVars(Invocation.parseVars("{days: 3, region: us, extra: [1, 2]}"))
            .withFlag("FULL_REFRESH", true)
            .withFlag("WHICH", "build")
            .withFlag("THREADS", 1);
    Project loaded = Project.load(project, Map.of(), invocation);
    assertThat(loaded.config().vars())
        .containsEntry("days", 3)
        .containsEntry("country", "NL")
        .containsEntry("region", "us")
        .containsKey("extra");
    assertThat(sql(loaded))
        .contains(
            "3 as days",
            "'NL' as country",
            "'us' as region",
            "True as full_refresh",
            "'build' as which",
            "1 as threads");
    // JSON is YAML: dbt's usual spelling
    assertThat(Invocation.parseVars("{\"days\": 30}")).containsEntry("days", 30);
  }

  @Test
  void varsThatAreNotADictionaryAreAClearError() {
    assertThatThrownBy(() -> Invocation.parseVars("[1, 2]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--vars '[1, 2]' is not a dictionary")
        .hasMessageContaining("--vars '{days: 3}'");
    assertThatThrownBy(() -> Invocation.parseVars("{days: [3"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("Cannot read --vars '{days: [3'")
        .hasMessageContaining("YAML or JSON dictionary");
  }

  @Test
  void targetChoosesTheProfilesOutput() {
    writeProject();
    Project dev = Project.load(project, Map.of(), Invocation.NONE);
    assertThat(dev.models().get("m").tableName()).isEqualTo(new TableName("dev_schema", "m"));
    assertThat(dev.config().threads()).isEqualTo(2);

    Project prod = Project.load(project, Map.of(), Invocation.NONE.withTarget("prod"));
    assertThat(prod.models().get("m").tableName()).isEqualTo(new TableName("analytics", "m"));
    assertThat(prod.config().threads()).isEqualTo(8);
    // DBT_TARGET chooses it too, as in dbt
    assertThat(Project.load(project, Map.of("DBT_TARGET", "prod")).models().get("m").tableName())
        .isEqualTo(new TableName("analytics", "m"));

    Problem problem =
        onlyProblem(() -> Project.load(project, Map.of(), Invocation.NONE.withTarget("prd")));
    assertThat(problem.location().toString()).isEqualTo("profiles.yml:4");
    assertThat(problem.message()).isEqualTo("Profile 'shop' has no output 'prd'");
    assertThat(problem.hint()).contains("prod");
  }

  @Test
  void aTargetWithoutProfilesIsAProblem() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/m.sql", "select 1 as id\n");
    Problem problem =
        onlyProblem(
            () ->
                Project.load(
                    project, Map.of("HOME", project.toString()), Invocation.NONE.withTarget("ci")));
    assertThat(problem.location().file()).isEqualTo("dbt_project.yml");
    assertThat(problem.message())
        .isEqualTo("Target 'ci' was asked for, but there is no profiles.yml to declare it");
  }

  /** The one problem of a load that must fail. */
  private static Problem onlyProblem(ThrowingCallable load) {
    ProjectException failure = catchThrowableOfType(ProjectException.class, load);
    assertThat(failure).as("the load fails").isNotNull();
    assertThat(failure.problems()).hasSize(1);
    return failure.problems().get(0);
  }
}
