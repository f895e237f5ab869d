package dev.sluice.cli;

import static dev.sluice.cli.InProcessCli.sluice;
import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's command-line flags on a dbt project: --vars, --target/-t, --threads, --fail-fast, and the
 * selection flags --selector (selectors.yml) and --state.
 */
class DbtFlagsCliTest {
  @TempDir Path project;

  private void writeProject() throws IOException {
    write(
        project,
        "dbt_project.yml",
        """
        name: 'shop'
        profile: 'shop'
        vars:
          days: 7
        models:
          shop:
            +materialized: table
        """);
    write(
        project,
        "profiles.yml",
        """
        shop:
          target: dev
          outputs:
            dev: {type: duckdb, threads: 4}
            prod: {type: duckdb, schema: analytics, threads: 4}
        """);
    // fails when it runs: DuckDB cannot cast 'x' to an integer
    write(project, "models/a_broken.sql", "select cast('x' as integer) as id\n");
    write(
        project,
        "models/b_days.sql",
        "select {{ var('days') }} as days, '{{ flags.WHICH }}' as which\n");
  }

  @Test
  void failFastSkipsWhatHasNotStartedAndVarsAndTargetReachTheModels() throws IOException {
    writeProject();

    InProcessCli.Result failFast = sluice(project, "run", "--threads", "1", "--fail-fast");
    assertThat(failFast.code()).as(failFast.err()).isEqualTo(ExitCodes.QUERY);
    assertThat(failFast.err()).contains("0 succeeded, 1 failed, 1 skipped");
    assertThat(Files.readString(project.resolve("target/run_results.json")))
        .contains("\"unique_id\" : \"model.shop.b_days\"")
        .contains("\"status\" : \"skipped\"");

    // without --fail-fast, what does not depend on the failure is built
    InProcessCli.Result run = sluice(project, "run", "--threads", "1");
    assertThat(run.code()).isEqualTo(ExitCodes.QUERY);
    assertThat(run.err()).contains("1 succeeded, 1 failed, 0 skipped");
    assertThat(sluice(project, "query", "--format", "csv", "select * from main.b_days").out())
        .contains("7,run");

    InProcessCli.Result build =
        sluice(project, "build", "-t", "prod", "--vars", "{days: 3}", "--exclude", "a_broken");
    assertThat(build.code()).as(build.err()).isZero();
    // the prod target's tables are the project's tables with -t prod
    InProcessCli.Result query =
        sluice(project, "query", "-t", "prod", "--format", "csv", "select * from analytics.b_days");
    assertThat(query.code()).as(query.err()).isZero();
    assertThat(query.out()).contains("3,build");

    InProcessCli.Result badVars = sluice(project, "run", "--vars", "[1, 2]");
    assertThat(badVars.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badVars.err()).contains("--vars '[1, 2]' is not a dictionary");

    InProcessCli.Result badTarget = sluice(project, "validate", "--target", "staging");
    assertThat(badTarget.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badTarget.err())
        .contains("profiles.yml:4", "Profile 'shop' has no output 'staging'");
  }

  private java.util.List<String> names(String... args) {
    InProcessCli.Result ls = sluice(project, args);
    assertThat(ls.code()).as(ls.err()).isZero();
    return ls.out().lines().skip(2).map(line -> line.split("\\s+")[0]).toList();
  }

  @Test
  void selectorsDefaultSelectorAndStateOnTheCommandLine() throws IOException {
    writeProject();
    write(
        project,
        "selectors.yml",
        """
        selectors:
          - name: days
            default: true
            definition: {method: fqn, value: b_days}
          - name: everything
            definition: {union: [{method: resource_type, value: model}]}
        """);

    assertThat(names("ls")).as("the default selector").containsExactly("b_days");
    assertThat(names("ls", "--selector", "everything")).containsExactly("a_broken", "b_days");
    assertThat(names("ls", "-s", "a_broken")).containsExactly("a_broken");
    InProcessCli.Result both = sluice(project, "ls", "-s", "a_broken", "--selector", "days");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("Give --select or --selector, not both");
    InProcessCli.Result unknown = sluice(project, "ls", "--selector", "day");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("selectors.yml", "Unknown selector 'day'", "days");

    // compile writes the manifest a later command compares with
    write(project, "models/a_broken.sql", "select 2 as id\n");
    InProcessCli.Result compile = sluice(project, "compile", "--selector", "everything");
    assertThat(compile.code()).as(compile.err()).isZero();
    Path state = Files.createDirectories(project.resolve("prod-target"));
    Files.copy(project.resolve("target/manifest.json"), state.resolve("manifest.json"));
    write(project, "models/a_broken.sql", "select 1 as id\n");
    assertThat(names("ls", "-s", "state:modified", "--state", "prod-target"))
        .containsExactly("a_broken");
    InProcessCli.Result noState = sluice(project, "ls", "-s", "state:modified", "--state", "nope");
    assertThat(noState.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noState.err()).contains("No manifest.json in the --state directory");
  }
}
