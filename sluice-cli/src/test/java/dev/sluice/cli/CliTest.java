package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process, on a real project: output streams, JSON and exit codes. */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(directory.resolve("shop"), args);
  }

  @Test
  void initValidateRunQueryAndInspect() throws IOException {
    InProcessCli.Result init =
        new InProcessCli.Result(
            SluiceCommand.execute(
                new String[] {"-p", directory.toString(), "init", "shop"},
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())),
            "",
            "");
    assertThat(init.code()).isZero();
    assertThat(directory.resolve("shop/sluice.yaml")).exists();

    InProcessCli.Result validate = sluice("validate");
    assertThat(validate.code()).as(validate.err()).isZero();
    assertThat(validate.err()).contains("is valid");
    assertThat(validate.out()).isEmpty();

    InProcessCli.Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err()).contains("ok").contains("Done");

    InProcessCli.Result tables = sluice("tables", "--json");
    assertThat(tables.code()).isZero();
    JsonNode tableList = JSON.readTree(tables.out());
    assertThat(tableList.isArray()).isTrue();
    assertThat(tableList.findValuesAsText("table"))
        .contains("raw.example_example", "curated.example_clean");

    InProcessCli.Result csv =
        sluice("query", "select count(*) as n from curated.example_clean", "--format", "csv");
    assertThat(csv.code()).as(csv.err()).isZero();
    assertThat(csv.out().lines().toList()).first().isEqualTo("n");

    InProcessCli.Result json = sluice("query", "select 1 as one", "--json");
    assertThat(JSON.readTree(json.out()).get(0).get("one").asInt()).isEqualTo(1);

    InProcessCli.Result runs = sluice("runs", "--json");
    JsonNode runList = JSON.readTree(runs.out());
    String runId = runList.get(0).get("id").asText();
    assertThat(runList.get(0).get("status").asText()).isEqualTo("succeeded");

    InProcessCli.Result show =
        sluice("runs", "show", runId.substring(0, runId.length() - 2), "--json");
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(JSON.readTree(show.out()).get("id").asText()).isEqualTo(runId);
    // each step's time by phase, as the run recorded it
    for (JsonNode step : JSON.readTree(show.out()).get("steps")) {
      JsonNode phases = step.get("phases");
      assertThat(phases.fieldNames())
          .toIterable()
          .containsExactly(
              "engine",
              "dataFile",
              "manifest",
              "metadata",
              "catalog",
              "checks",
              "publish",
              "runStore",
              "other");
      assertThat(phases.get("engine").asDouble()).as(step.toString()).isPositive();
      assertThat(phases.get("runStore").asDouble()).as(step.toString()).isPositive();
    }
    InProcessCli.Result showFull = sluice("runs", "show", runId);
    assertThat(showFull.code()).isZero();
    assertThat(showFull.out()).contains(runId).contains("example_clean");
    // the same breakdown for people: a column per phase any step spent time in, a row per step
    List<String> phaseLines =
        showFull.out().lines().dropWhile(line -> !line.equals("time by phase (ms):")).toList();
    assertThat(phaseLines).as(showFull.out()).hasSizeGreaterThan(3);
    assertThat(phaseLines.get(1)).startsWith("asset").contains("engine").contains("run store");
    assertThat(phaseLines.get(1).strip()).endsWith("total");
    assertThat(phaseLines).anyMatch(line -> line.startsWith("example_clean "));

    InProcessCli.Result plan = sluice("plan", "--select", "+example_clean", "--json");
    assertThat(plan.code()).as(plan.err()).isZero();
    JsonNode planned = JSON.readTree(plan.out());
    assertThat(planned.findValuesAsText("asset"))
        .containsExactly("example.example", "example_clean");
    assertThat(planned.get("steps").get(1).get("reasons").get(0).asText()).startsWith("up to date");

    InProcessCli.Result cancelFinished = sluice("runs", "cancel", runId);
    assertThat(cancelFinished.code()).isEqualTo(2);
    assertThat(cancelFinished.err()).contains("already finished");

    // the run is a day younger than the cutoff: nothing to prune (RunStoreContractTest prunes)
    InProcessCli.Result prune = sluice("runs", "prune", "--older-than", "1d", "--json");
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(JSON.readTree(prune.out()).get("runs")).isEmpty();
    assertThat(prune.err()).contains("Pruned 0 run(s) started before");
    assertThat(sluice("runs", "--json").out()).contains(runId);
    InProcessCli.Result badAge = sluice("runs", "prune", "--older-than", "soon");
    assertThat(badAge.code()).isEqualTo(2);
    assertThat(badAge.err())
        .contains("--older-than 'soon' is not a period: write an age such as 30d");

    InProcessCli.Result connectors = sluice("connectors", "--json");
    assertThat(connectors.code()).as(connectors.err()).isZero();
    assertThat(connectors.out()).contains("file").contains("postgres");

    InProcessCli.Result lineage = sluice("lineage", "example_clean");
    assertThat(lineage.code()).as(lineage.err()).isZero();
    assertThat(lineage.out()).contains("example.example");
  }

  @Test
  void validateCompilesModelsAndNamesTheFileAndLine() throws IOException {
    SluiceCommand.execute(
        new String[] {"-p", directory.toString(), "init", "shop"},
        new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));
    Path models = directory.resolve("shop/models/curated");
    Files.writeString(models.resolve("one.sql"), "select 1 as id\n");
    Files.writeString(models.resolve("two.sql"), "select id,\n  nope\nfrom {{ ref('one') }}\n");

    InProcessCli.Result validate = sluice("validate");
    assertThat(validate.code()).as(validate.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(validate.err()).contains("models/curated/two.sql:2").contains("nope");

    Files.writeString(models.resolve("two.sql"), "select id from {{ ref('one') }}\n");
    InProcessCli.Result valid = sluice("validate");
    assertThat(valid.code()).as(valid.err()).isZero();
    assertThat(valid.err()).contains("is valid").contains("example_clean");
  }

  @Test
  void queryRefusesHostAccessButNotSemicolonsInStrings() throws IOException {
    SluiceCommand.execute(
        new String[] {"-p", directory.toString(), "init", "shop"},
        new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));

    InProcessCli.Result file = sluice("query", "select * from read_text('/root/.gitconfig')");
    assertThat(file.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(file.err()).contains("read_text").doesNotContain("Exception");

    InProcessCli.Result semicolon = sluice("query", "select 'a;b' as text", "--format", "csv");
    assertThat(semicolon.code()).as(semicolon.err()).isZero();
    assertThat(semicolon.out().lines().toList()).containsExactly("text", "a;b");

    InProcessCli.Result missing = sluice("query", "select * from raw.nothing");
    assertThat(missing.err()).contains("raw.nothing does not exist").doesNotContain("pg_");
  }

  @Test
  void exitCodesSayWhatWentWrong() throws IOException {
    SluiceCommand.execute(
        new String[] {"-p", directory.toString(), "init", "shop"},
        new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));

    InProcessCli.Result sqlError = sluice("query", "select nope");
    assertThat(sqlError.code()).isEqualTo(4);
    assertThat(sqlError.err()).contains("nope");

    InProcessCli.Result usage = sluice("query");
    assertThat(usage.code()).isEqualTo(2);

    Path yaml = directory.resolve("shop/sluice.yaml");
    Files.writeString(yaml, Files.readString(yaml) + "thredas: 3\n");
    InProcessCli.Result badProject = sluice("validate", "--json");
    assertThat(badProject.code()).isEqualTo(2);
    assertThat(badProject.err()).contains("sluice.yaml").contains("threads");
    assertThat(JSON.readTree(badProject.out()).get("problems").get(0).get("file").asText())
        .isEqualTo("sluice.yaml");
  }

  @Test
  void versionAndHelp() {
    StringWriter out = new StringWriter();
    assertThat(
            SluiceCommand.execute(
                new String[] {"--version"},
                new PrintWriter(out),
                new PrintWriter(new StringWriter())))
        .isZero();
    assertThat(out.toString()).startsWith("sluice ");
    StringWriter help = new StringWriter();
    assertThat(
            SluiceCommand.execute(
                new String[] {"--help"},
                new PrintWriter(help),
                new PrintWriter(new StringWriter())))
        .isZero();
    assertThat(help.toString()).contains("run").contains("query").contains("demo");
  }

  @Test
  void secretsAreNeededOnlyBySourcesThatRun() throws IOException {
    Path shop = directory.resolve("shop");
    Files.createDirectories(shop.resolve("sources"));
    Files.createDirectories(shop.resolve("data"));
    Files.writeString(shop.resolve("sluice.yaml"), "name: shop\n");
    Files.writeString(
        shop.resolve("sources/crm.yaml"),
        "connector: postgres\noptions:\n  url: jdbc:postgresql://localhost/crm\n"
            + "  password: ${env:SLUICE_TEST_UNSET_PASSWORD_7f3a}\ntables:\n  - name: accounts\n");
    Files.writeString(shop.resolve("data/orders.csv"), "id\n1\n2\n");
    Files.writeString(
        shop.resolve("sources/shop.yaml"),
        "tables:\n  - name: orders\n    path: data/orders.csv\n");

    InProcessCli.Result validate = sluice("validate", "--json");
    assertThat(validate.code()).as(validate.err()).isEqualTo(ExitCodes.OK);
    assertThat(validate.err())
        .contains("warning: sources/crm.yaml:4")
        .contains("SLUICE_TEST_UNSET_PASSWORD_7f3a")
        .contains("is not set");
    JsonNode result = JSON.readTree(validate.out());
    assertThat(result.get("valid").asBoolean()).isTrue();
    assertThat(result.get("warnings").get(0).asText()).contains("SLUICE_TEST_UNSET_PASSWORD_7f3a");

    InProcessCli.Result other = sluice("run", "--select", "shop.orders");
    assertThat(other.code()).as(other.err()).isZero();

    InProcessCli.Result crm = sluice("run", "--select", "crm.accounts");
    assertThat(crm.code()).as(crm.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(crm.err())
        .contains("sources/crm.yaml:4")
        .contains("SLUICE_TEST_UNSET_PASSWORD_7f3a");

    // a literal secret is a project error wherever it is: its form is checked at load
    Files.writeString(
        shop.resolve("sources/crm.yaml"),
        "connector: postgres\noptions:\n  url: jdbc:postgresql://localhost/crm\n"
            + "  password: hunter2\ntables:\n  - name: accounts\n");
    InProcessCli.Result literal = sluice("validate");
    assertThat(literal.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(literal.err()).contains("sources/crm.yaml:4").doesNotContain("hunter2");
  }
}
