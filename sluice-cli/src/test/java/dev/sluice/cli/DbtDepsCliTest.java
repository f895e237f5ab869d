package dev.sluice.cli;

import static dev.sluice.cli.InProcessCli.sluice;
import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice deps} and {@code sluice clean} in a dbt project: local packages linked as dbt links
 * them, vendored Hub and git packages found (by name and version), missing ones named with how to
 * vendor them, package-lock.yml as dbt 1.7+ writes it; clean removes its targets and refuses what
 * is outside the project.
 */
class DbtDepsCliTest {
  @TempDir Path workspace;

  private Path project;

  @BeforeEach
  void project() throws IOException {
    project = workspace.resolve("shop");
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        clean-targets: [target, dbt_packages]
        """);
    write(
        project,
        "packages.yml",
        """
        packages:
          - local: ../shared
          - package: dbt-labs/dbt_utils
            version: [">=1.0.0", "<2.0.0"]
          - git: "https://github.com/dbt-labs/codegen.git"
            revision: 0.12.1
        """);
    write(
        workspace.resolve("shared"), "dbt_project.yml", "name: shared_macros\nversion: '0.1.0'\n");
    write(
        workspace.resolve("shared"),
        "macros/cents.sql",
        "{% macro cents(x) %}({{ x }} * 100){% endmacro %}\n");
    write(project, "dbt_packages/dbt_utils/dbt_project.yml", "name: dbt_utils\nversion: '1.3.0'\n");
  }

  @Test
  void depsLinksLocalPackagesNamesTheMissingOnesAndWritesTheLockWhenNoneIsMissing()
      throws IOException {
    InProcessCli.Result missing = sluice(project, "deps", "--json");
    assertThat(missing.code()).as(missing.err()).isEqualTo(2);
    assertThat(missing.err())
        .contains("shared_macros: linked dbt_packages/shared_macros to ../shared")
        .contains("dbt_utils: present in dbt_packages/dbt_utils (version 1.3.0)")
        .contains(
            "missing: codegen: https://github.com/dbt-labs/codegen.git (revision 0.12.1) is not"
                + " installed: Sluice cannot download from git here; vendor it: copy the package"
                + " (the directory with its dbt_project.yml, e.g. from a machine where dbt deps"
                + " ran) into dbt_packages/codegen")
        .contains("1 of 3 packages missing; package-lock.yml was not written");
    JsonNode report = new ObjectMapper().readTree(missing.out());
    assertThat(report.get("packages").findValuesAsText("status"))
        .containsExactly("linked", "installed", "missing");
    assertThat(report.get("packages").get(2).get("location").asText()).isEqualTo("packages.yml:5");
    assertThat(report.get("lock_file").isNull()).isTrue();
    // dbt links a local package under its project's name
    Path link = project.resolve("dbt_packages/shared_macros");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(link.resolve("macros/cents.sql")).exists();
    assertThat(project.resolve("package-lock.yml")).doesNotExist();

    // vendored: deps succeeds (again: the link is replaced) and writes dbt's lock file
    write(project, "dbt_packages/codegen/dbt_project.yml", "name: codegen\nversion: '0.12.1'\n");
    InProcessCli.Result installed = sluice(project, "deps");
    assertThat(installed.code()).as(installed.err()).isZero();
    assertThat(installed.err()).contains("Wrote package-lock.yml");
    assertThat(Files.readString(project.resolve("package-lock.yml")))
        .isEqualTo(
            """
            packages:
              - local: ../shared
                name: shared_macros
              - name: dbt_utils
                package: dbt-labs/dbt_utils
                version: 1.3.0
              - git: https://github.com/dbt-labs/codegen.git
                name: codegen
                revision: 0.12.1
            sha1_hash: 6719f6aea04294c7729ce613b8d7066e84f63488
            """);
  }

  @Test
  void aVendoredPackageOfAnotherVersionIsMissing() throws IOException {
    write(project, "dbt_packages/codegen/dbt_project.yml", "name: codegen\n");
    write(project, "dbt_packages/dbt_utils/dbt_project.yml", "name: dbt_utils\nversion: 0.9.1\n");
    InProcessCli.Result result = sluice(project, "deps");
    assertThat(result.code()).as(result.err()).isEqualTo(2);
    assertThat(result.err())
        .contains(
            "missing: dbt_utils: dbt-labs/dbt_utils >=1.0.0, <2.0.0 is asked for, and"
                + " dbt_packages/dbt_utils holds version 0.9.1: Sluice cannot download from the dbt"
                + " Hub here");
  }

  @Test
  void cleanRemovesItsTargetsButNotWhatALinkPointsToAndRefusesPathsOutsideTheProject()
      throws IOException {
    sluice(project, "deps");
    write(project, "target/manifest.json", "{}");
    InProcessCli.Result clean = sluice(project, "clean", "--json");
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(clean.err()).contains("Removed target").contains("Removed dbt_packages");
    assertThat(new ObjectMapper().readTree(clean.out()).get("removed").toString())
        .isEqualTo("[\"target\",\"dbt_packages\"]");
    assertThat(project.resolve("target")).doesNotExist();
    assertThat(project.resolve("dbt_packages")).doesNotExist();
    assertThat(workspace.resolve("shared/macros/cents.sql")).exists();

    write(project, "dbt_project.yml", "name: shop\nclean-targets: [target, ../shared, models]\n");
    write(project, "target/manifest.json", "{}");
    InProcessCli.Result refused = sluice(project, "clean");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("../shared (outside the project), models (it holds the project's files)")
        .contains("nothing was removed");
    assertThat(project.resolve("target/manifest.json")).exists();
    assertThat(workspace.resolve("shared/dbt_project.yml")).exists();
  }
}
