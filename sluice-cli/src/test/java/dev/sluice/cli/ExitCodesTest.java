package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes of the README's table, each produced by a real project that fails that way, and
 * exactly one JSON document on stdout with {@code --json}, whatever happened.
 */
class ExitCodesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  record Result(int code, String out, String err) {
    /** Every JSON document printed on stdout (a top-level array is one document). */
    List<JsonNode> documents() throws IOException {
      List<JsonNode> documents = new java.util.ArrayList<>();
      try (JsonParser parser = JSON.getFactory().createParser(out)) {
        for (JsonNode document = JSON.readTree(parser);
            document != null;
            document = JSON.readTree(parser)) {
          documents.add(document);
        }
      }
      return documents;
    }
  }

  private Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withProject = new String[args.length + 2];
    withProject[0] = "-p";
    withProject[1] = project.toString();
    System.arraycopy(args, 0, withProject, 2, args.length);
    int code = SluiceCommand.execute(withProject, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** A project with one CSV source (three rows) and a model over it. */
  private void shop(String modelSql) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "data/orders.csv", "order_id,amount\n1,10.5\n2,20\n3,7.25\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n"
            + "  - name: orders\n"
            + "    path: data/orders.csv\n"
            + "    columns:\n"
            + "      - {name: order_id, type: bigint}\n"
            + "      - {name: amount, type: double}\n");
    write(project, "models/curated/orders_clean.sql", modelSql);
  }

  @Test
  void successIsZero() throws IOException {
    shop("select order_id, amount from {{ source('shop', 'orders') }}\n");
    Result run = sluice("run", "--json");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK).isZero();
    assertThat(run.documents()).hasSize(1);
    assertThat(run.documents().get(0).get("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void aFailedBlockingCheckIsOne() throws IOException {
    shop("select order_id, amount from {{ source('shop', 'orders') }}\n");
    write(
        project,
        "models/curated/orders_clean.yaml",
        "models:\n"
            + "  - name: orders_clean\n"
            + "    columns:\n"
            + "      - name: amount\n"
            + "        checks:\n"
            + "          - expression: {expression: \"amount > 100\"}\n");
    Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED).isEqualTo(1);
    assertThat(run.err()).contains("FAILED").contains("sluice runs show");
    // nothing was published: the step's line says no "rebuilt"
    assertThat(run.err().lines().filter(line -> line.startsWith("  FAIL orders_clean")))
        .singleElement()
        .satisfies(line -> assertThat(line).doesNotContain("rebuilt"));
    assertThat(run.err()).contains("not published");
  }

  @Test
  void badUsageAndBadProjectFilesAreTwo() throws IOException {
    shop("select order_id, amount from {{ source('shop', 'orders') }}\n");
    Result unknownOption = sluice("run", "--no-such-option", "--json");
    assertThat(unknownOption.code()).isEqualTo(ExitCodes.USAGE).isEqualTo(2);
    assertThat(unknownOption.err()).contains("--no-such-option");
    assertThat(unknownOption.documents()).hasSize(1);
    assertThat(unknownOption.documents().get(0).get("exitCode").asInt()).isEqualTo(2);

    write(project, "sluice.yaml", "name: shop\nthredas: 2\n");
    Result badProject = sluice("run", "--json");
    assertThat(badProject.code()).isEqualTo(2);
    assertThat(badProject.err()).contains("sluice.yaml:2");
    List<JsonNode> documents = badProject.documents();
    assertThat(documents).hasSize(1);
    assertThat(documents.get(0).get("exitCode").asInt()).isEqualTo(2);
  }

  @Test
  void badInputDataIsThree() throws IOException {
    shop("select order_id, amount from {{ source('shop', 'orders') }}\n");
    write(project, "data/orders.csv", "order_id,amount\n1,10.5\ntwo,20\n3,7.25\n");
    Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.DATA).isEqualTo(3);
    assertThat(run.err()).contains("orders.csv");

    Result json = sluice("run", "--json");
    assertThat(json.code()).isEqualTo(3);
    List<JsonNode> documents = json.documents();
    assertThat(documents).as(json.out()).hasSize(1);
    JsonNode document = documents.get(0);
    assertThat(document.get("status").asText()).isEqualTo("failed");
    assertThat(document.get("exitCode").asInt()).isEqualTo(3);
    assertThat(document.get("error").asText()).contains("failed");
  }

  @Test
  void aModelSqlErrorIsFour() throws IOException {
    shop("select order_id, no_such_column from {{ source('shop', 'orders') }}\n");
    Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.QUERY).isEqualTo(4);
    assertThat(run.err()).contains("no_such_column");

    Result json = sluice("run", "--json");
    assertThat(json.code()).isEqualTo(4);
    assertThat(json.documents()).as(json.out()).hasSize(1);

    Result query = sluice("query", "select no_such_column from curated.orders_clean", "--json");
    assertThat(query.code()).isEqualTo(4);
    assertThat(query.documents()).hasSize(1);
  }

  @Test
  void aCancelledRunSaysCancelled() throws Exception {
    write(project, "sluice.yaml", "name: shop\nthreads: 1\n");
    write(
        project,
        "models/curated/slow.sql",
        "select sum(a.range * b.range) as total from range(300000) a, range(300000) b\n");
    write(project, "models/published/after.sql", "select * from {{ ref('slow') }}\n");
    java.util.concurrent.CompletableFuture<Result> running =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> sluice("run"));
    String runId =
        org.awaitility.Awaitility.await("a running run")
            .atMost(java.time.Duration.ofSeconds(60))
            .pollInterval(java.time.Duration.ofMillis(50))
            .until(
                () -> {
                  assertThat(running).as("the run is still going").isNotDone();
                  Result runs = sluice("runs", "--json");
                  assertThat(runs.documents()).as(runs.code() + runs.err()).hasSize(1);
                  for (JsonNode run : runs.documents().get(0)) {
                    if (run.get("status").asText().equals("running")) {
                      return run.get("id").asText();
                    }
                  }
                  return null;
                },
                java.util.Objects::nonNull);
    assertThat(sluice("runs", "cancel", runId).code()).isZero();
    Result run = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(run.err())
        .contains("CANCELLED in")
        .doesNotContain("FAILED in")
        .contains("Run " + runId + " was cancelled");
  }
}
