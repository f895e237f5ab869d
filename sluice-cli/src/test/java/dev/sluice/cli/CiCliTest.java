package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice ci} on a real git repository: a base commit whose models were run into production
 * (Iceberg on SQLite, DuckDB), then a change commit on a branch; the report, the JSON and the exit
 * codes for a non-breaking change, a breaking one, a model that does not compile and a bad base.
 */
class CiCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeEach
  void productionIsBuiltFromTheBaseCommit() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, ".gitignore", ".sluice/\nwarehouse/\ntarget/\nci.md\n");
    write(
        project,
        "models/curated/orders.sql",
        "select * from (values (1, 10.0), (2, 20.0), (3, 5.0)) t(id, amount)\n");
    write(
        project,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 6\n");
    write(
        project,
        "models/published/total.sql",
        "select sum(amount) as total from {{ ref('big') }}\n");
    assertThat(sluice("run").code()).isZero();
    git("init", "-q", "-b", "main");
    git("add", "-A");
    commit("base: production");
    git("checkout", "-q", "-b", "change");
  }

  @Test
  void aNonBreakingChangePassesWithItsReport() throws Exception {
    // a column nobody reads yet: non-breaking, total is kept
    write(
        project,
        "models/curated/big.sql",
        "select id, amount, amount * 2 as doubled from {{ ref('orders') }} where amount > 6\n");
    commit("add doubled");

    InProcessCli.Result result = sluice("ci", "--base", "main", "--report", report(), "--json");
    assertThat(result.code()).as(result.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = JSON.readTree(result.out());
    assertThat(json.get("status").asText()).isEqualTo("passed");
    assertThat(json.get("exitCode").asInt()).isZero();
    assertThat(json.get("changedFiles")).isEqualTo(JSON.readTree("[\"models/curated/big.sql\"]"));
    assertThat(json.get("changes")).hasSize(1);
    JsonNode change = json.get("changes").get(0);
    assertThat(change.get("model").asText()).isEqualTo("big");
    assertThat(change.get("category").asText()).isEqualTo("non-breaking");
    assertThat(change.get("added_columns")).isEqualTo(JSON.readTree("[\"doubled\"]"));
    assertThat(stepOutcomes(json))
        .containsExactly(
            "validate=passed",
            "compile=passed",
            "unit tests=passed",
            "plan=passed",
            "build=passed",
            "diff=passed");
    // only big is built, and compared with production: the same rows, one column more
    assertThat(json.get("diffs")).hasSize(1);
    JsonNode diff = json.get("diffs").get(0);
    assertThat(diff.get("table").asText()).isEqualTo("curated.big");
    assertThat(diff.get("productionRows").asLong()).isEqualTo(2);
    assertThat(diff.get("environmentRows").asLong()).isEqualTo(2);
    assertThat(diff.get("onlyInProduction").asLong()).isZero();
    assertThat(diff.get("onlyInEnvironment").asLong()).isZero();
    assertThat(diff.get("addedColumns")).isEqualTo(JSON.readTree("[\"doubled\"]"));
    String environment = json.get("environment").asText();
    assertThat(environment).isEqualTo("ci-" + git("rev-parse", "HEAD").substring(0, 8));

    String markdown = Files.readString(project.resolve("ci.md"), StandardCharsets.UTF_8);
    assertThat(markdown)
        .startsWith("## Sluice CI: passed")
        .contains("against `main`")
        .contains("- `models/curated/big.sql` (model big)")
        .contains("| big | non-breaking | added doubled | - |")
        .contains("| curated.big | 2 | 2 | 0 | 0 | (no key) | doubled |  |");

    // the ephemeral environment is gone, production untouched (compare parsed JSON)
    assertThat(JSON.readTree(sluice("env", "list", "--json").out())).isEqualTo(JSON.readTree("[]"));
    assertThat(sluice("query", "select * from curated.big").out()).doesNotContain("doubled");
  }

  @Test
  void aBreakingChangeFailsUnlessAllowed() throws Exception {
    // a changed filter: every row of big may change, and total reads big.amount
    write(
        project,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 1\n");
    commit("widen big");

    InProcessCli.Result result = sluice("ci", "--base", "main", "--report", report(), "--json");
    assertThat(result.code()).as(result.err()).isEqualTo(ExitCodes.BREAKING_CHANGES);
    JsonNode json = JSON.readTree(result.out());
    assertThat(json.get("status").asText()).isEqualTo("breaking");
    JsonNode change = json.get("changes").get(0);
    assertThat(change.get("model").asText()).isEqualTo("big");
    assertThat(change.get("category").asText()).isEqualTo("breaking");
    assertThat(change.get("downstream").get(0).get("model").asText()).isEqualTo("total");
    // big and the downstream total are built and compared with production
    List<String> tables = new ArrayList<>();
    json.get("diffs").forEach(each -> tables.add(each.get("table").asText()));
    assertThat(tables).containsExactly("curated.big", "published.total");
    JsonNode big = json.get("diffs").get(0);
    assertThat(big.get("productionRows").asLong()).isEqualTo(2);
    assertThat(big.get("environmentRows").asLong()).isEqualTo(3);
    assertThat(big.get("onlyInEnvironment").asLong()).isEqualTo(1);
    JsonNode total = json.get("diffs").get(1);
    assertThat(total.get("onlyInProduction").asLong()).isEqualTo(1);
    assertThat(total.get("onlyInEnvironment").asLong()).isEqualTo(1);

    String markdown = Files.readString(project.resolve("ci.md"), StandardCharsets.UTF_8);
    assertThat(markdown)
        .startsWith("## Sluice CI: breaking changes")
        .contains("**Breaking changes** (allow them with `sluice ci --allow-breaking`): big.")
        .contains("| big | **breaking** |")
        .contains("| total (total) |")
        .contains("| curated.big | 2 | 3 | 0 | 1 |")
        .contains("| published.total | 1 | 1 | 1 | 1 |");

    InProcessCli.Result allowed = sluice("ci", "--base", "main", "--allow-breaking");
    assertThat(allowed.code()).as(allowed.err()).isEqualTo(ExitCodes.OK);
    assertThat(allowed.err()).contains("CI passed");

    // an environment that existed before is rebuilt into, never dropped
    assertThat(sluice("run", "--env", "dev").code()).isZero();
    InProcessCli.Result intoDev = sluice("ci", "--env", "dev", "--allow-breaking", "--json");
    assertThat(intoDev.code()).as(intoDev.err()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(intoDev.out()).get("environmentKept").asBoolean()).isTrue();
    JsonNode environments = JSON.readTree(sluice("env", "list", "--json").out());
    assertThat(environments).hasSize(1);
    assertThat(environments.get(0).get("name").asText()).isEqualTo("dev");
  }

  @Test
  void aModelThatDoesNotCompileFailsTheChecksNamingItsFile() throws Exception {
    write(
        project,
        "models/published/total.sql",
        "select sum(amont) as total from {{ ref('big') }}\n");
    commit("typo");

    InProcessCli.Result result = sluice("ci", "--base", "main", "--report", report());
    assertThat(result.code()).as(result.err()).isEqualTo(ExitCodes.RUN_FAILED);
    String markdown = Files.readString(project.resolve("ci.md"), StandardCharsets.UTF_8);
    assertThat(markdown)
        .startsWith("## Sluice CI: failed")
        .contains("| compile | failed |")
        .contains("| build | skipped |")
        .contains("- models/published/total.sql:1: The model's SQL does not compile")
        .contains("amont");
  }

  @Test
  void aFailingUnitTestFailsTheChecks() throws Exception {
    write(
        project,
        "models/curated/big_tests.yaml",
        """
        unit_tests:
          - name: keeps_big_orders
            model: big
            given:
              - input: ref('orders')
                rows:
                  - {id: 1, amount: 10.0}
                  - {id: 2, amount: 3.0}
            expect:
              rows:
                - {id: 1, amount: 10.0}
                - {id: 2, amount: 3.0}
        """);
    commit("a unit test the model does not pass");

    InProcessCli.Result result = sluice("ci", "--base", "main", "--report", report(), "--json");
    assertThat(result.code()).as(result.err()).isEqualTo(ExitCodes.RUN_FAILED);
    JsonNode json = JSON.readTree(result.out());
    assertThat(stepOutcomes(json)).contains("unit tests=failed");
    assertThat(json.get("failures").get(0).asText())
        .contains("models/curated/big_tests.yaml")
        .contains("unit test keeps_big_orders of model big failed: 1 expected rows missing");
    assertThat(Files.readString(project.resolve("ci.md"), StandardCharsets.UTF_8))
        .contains("| unit tests | failed | 0 passed, 1 failed |");
  }

  @Test
  void aBaseThatIsNotACommitIsAnError() {
    InProcessCli.Result result = sluice("ci", "--base", "origin/nowhere");
    assertThat(result.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("--base origin/nowhere is not a commit").contains("fetch");
  }

  private String report() {
    return project.resolve("ci.md").toString();
  }

  private static List<String> stepOutcomes(JsonNode json) {
    List<String> steps = new ArrayList<>();
    json.get("steps")
        .forEach(step -> steps.add(step.get("name").asText() + "=" + step.get("outcome").asText()));
    return steps;
  }

  private void commit(String message) throws IOException, InterruptedException {
    git("add", "-A");
    git("-c", "user.email=ci@example.org", "-c", "user.name=ci", "commit", "-q", "-m", message);
  }

  private String git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-C", project.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output.strip();
  }
}
