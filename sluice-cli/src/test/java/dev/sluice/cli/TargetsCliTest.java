package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --target NAME} on every command: each target has its own warehouse, catalog, state and
 * vars; a target named like a command ({@code ci}) is a target wherever {@code --target} stands.
 */
class TargetsCliTest {
  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  private String count(String... target) {
    String[] args = new String[target.length + 4];
    System.arraycopy(target, 0, args, 0, target.length);
    args[target.length] = "query";
    args[target.length + 1] = "select count(*) from curated.big";
    args[target.length + 2] = "--format";
    args[target.length + 3] = "csv";
    InProcessCli.Result result = sluice(args);
    assertThat(result.code()).as(result.err()).isZero();
    return result.out().lines().skip(1).findFirst().orElseThrow();
  }

  @BeforeEach
  void aProjectWithTargets() throws Exception {
    write(
        project,
        "sluice.yaml",
        """
        name: shop
        vars:
          threshold: 6
        default_target: dev
        targets:
          dev:
            warehouse: wh-dev
            catalog: {url: "jdbc:sqlite:.sluice/dev-catalog.db"}
            state: {url: "jdbc:sqlite:.sluice/dev-state.db"}
          ci:
            warehouse: wh-ci
            catalog: {url: "jdbc:sqlite:.sluice/ci-catalog.db"}
            state: {url: "jdbc:sqlite:.sluice/ci-state.db"}
            vars:
              threshold: 1
        """);
    write(
        project,
        "models/curated/big.sql",
        "select * from (values (1, 10.0), (2, 20.0), (3, 5.0)) t(id, amount)"
            + " where amount > {{ var('threshold') }}\n");
  }

  @Test
  void eachTargetHasItsOwnWarehouseStateAndVarsWhereverTargetStands() throws Exception {
    assertThat(sluice("run").code()).isZero();
    assertThat(Files.isDirectory(project.resolve("wh-dev"))).isTrue();
    assertThat(Files.exists(project.resolve("wh-ci"))).isFalse();
    assertThat(count()).isEqualTo("2");

    // before the command: ci is the target's name here, not the command 'sluice ci'
    InProcessCli.Result before = sluice("--target", "ci", "run");
    assertThat(before.code()).as(before.err()).isZero();
    assertThat(Files.isDirectory(project.resolve("wh-ci"))).isTrue();
    assertThat(Files.exists(project.resolve(".sluice/ci-state.db"))).isTrue();
    assertThat(count("--target", "ci")).isEqualTo("3");
    assertThat(count()).isEqualTo("2");

    // after the command
    InProcessCli.Result after = sluice("run", "--target", "ci", "--full-refresh");
    assertThat(after.code()).as(after.err()).isZero();
    assertThat(sluice("runs", "--target", "ci").out()).contains("succeeded");
    InProcessCli.Result query =
        sluice("query", "select count(*) from curated.big", "--format", "csv", "--target", "ci");
    assertThat(query.out().lines().skip(1).findFirst().orElseThrow()).isEqualTo("3");
    assertThat(sluice("--target", "dev", "validate").code()).isZero();
  }

  @Test
  void anUnknownTargetNamesSluiceYamlsLineAndTheTargets() {
    for (String[] args :
        new String[][] {
          {"--target", "cj", "run"}, {"run", "--target", "cj"}, {"plan", "--target=cj"}
        }) {
      InProcessCli.Result result = sluice(args);
      assertThat(result.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(result.err())
          .contains("sluice.yaml:5")
          .contains("Unknown target 'cj' (asked for by --target)")
          .contains("sluice.yaml's targets are: dev, ci")
          .contains("did you mean 'ci'?");
    }
  }
}
