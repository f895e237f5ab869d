package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice test --unit}: unit tests of models pass, fail with a row diff and a nonzero exit
 * code, report bad input at its file and line, and never touch the warehouse or state database
 * (which a run created before); {@code sluice validate} checks them without running them.
 */
class UnitTestCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private static final String TESTS =
      """
      unit_tests:
        - name: revenue_adds_up
          model: revenue
          given:
            - input: source('shop', 'orders')
              rows:
                - {id: 1, amount: 10}
                - {id: 2, amount: 32}
          expect:
            rows: [{revenue: 42}]
      """;

  private void files(String tests) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "data/orders.csv", "id,amount\n1,10\n2,20\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n"
            + "    columns:\n      - {name: id, type: bigint}\n      - {name: amount, type: bigint}\n");
    write(
        project,
        "models/published/revenue.sql",
        "select sum(amount) as revenue, count(*) as orders\nfrom {{ source('shop', 'orders') }}\n");
    write(project, "models/published/revenue.yaml", tests);
  }

  @Test
  void passingTestsLeaveTheWarehouseAndStateDatabaseAlone() throws IOException {
    files(TESTS);
    assertThat(InProcessCli.sluice(project, "run").code()).isZero();
    List<String> before = snapshot();

    InProcessCli.Result result = InProcessCli.sluice(project, "test", "--unit");

    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).contains("PASS   revenue_adds_up (model revenue)");
    assertThat(result.err()).contains("1 unit tests: 1 passed, 0 failed");
    assertThat(snapshot()).isEqualTo(before);

    InProcessCli.Result validate = InProcessCli.sluice(project, "validate");
    assertThat(validate.code()).as(validate.err()).isZero();
    assertThat(validate.err()).contains("1 unit tests (checked, not run");
  }

  @Test
  void aFailingTestPrintsTheRowDiffAndExitsNonzero() throws IOException {
    files(TESTS.replace("[{revenue: 42}]", "[{revenue: 41, orders: 2}]"));
    InProcessCli.Result result = InProcessCli.sluice(project, "test", "--unit");

    assertThat(result.code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(result.out())
        .contains("FAIL   revenue_adds_up (model revenue)")
        .contains("models/published/revenue.yaml:2: 1 expected row(s) missing, 1 unexpected row(s)")
        .containsPattern("- missing +41 +2")
        .containsPattern("\\+ unexpected +42 +2");
    assertThat(result.err()).contains("1 unit tests: 0 passed, 1 failed");
    // only the log is written; no state database, no warehouse
    try (Stream<Path> files = Files.walk(project.resolve(".sluice"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> project.relativize(p).toString()))
          .allMatch(file -> file.startsWith(".sluice/logs/"));
    }
    assertThat(project.resolve("warehouse")).doesNotExist();

    JsonNode json = JSON.readTree(InProcessCli.sluice(project, "test", "--unit", "--json").out());
    assertThat(json.path("failed").asInt()).isEqualTo(1);
    JsonNode test = json.path("tests").get(0);
    assertThat(test.path("status").asText()).isEqualTo("failed");
    assertThat(test.path("missing").get(0).get(0).asText()).isEqualTo("41");
    assertThat(test.path("unexpected").get(0).get(0).asText()).isEqualTo("42");
  }

  @Test
  void badInputNamesTheFileAndLine() throws IOException {
    files(TESTS.replace("source('shop', 'orders')", "ref('orderz')"));
    InProcessCli.Result missingRef = InProcessCli.sluice(project, "test", "--unit");
    assertThat(missingRef.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingRef.err())
        .contains(
            "models/published/revenue.yaml:5: Unit test 'revenue_adds_up' gives rows for"
                + " ref('orderz'), which is no model or seed");
    assertThat(InProcessCli.sluice(project, "validate").err())
        .contains("models/published/revenue.yaml:5:");

    files(TESTS.replace("{id: 2, amount: 32}", "{id: 2, amount: many}"));
    InProcessCli.Result wrongType = InProcessCli.sluice(project, "test", "--unit");
    assertThat(wrongType.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(wrongType.err())
        .contains("models/published/revenue.yaml:8: The value 'many' of column 'amount'")
        .contains("is not a bigint");

    files(TESTS.replace("[{revenue: 42}]", "[{revenu: 42}]"));
    InProcessCli.Result unknownColumn = InProcessCli.sluice(project, "test", "--unit");
    assertThat(unknownColumn.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknownColumn.err())
        .contains(
            "models/published/revenue.yaml:10: Column 'revenu' in the expect of unit test"
                + " 'revenue_adds_up' is not a column that model 'revenue' produces")
        .contains("did you mean 'revenue'?");

    files(TESTS.replace("    expect:", "    expected: []\n    expect:"));
    InProcessCli.Result unknownKey = InProcessCli.sluice(project, "test", "--unit");
    assertThat(unknownKey.err())
        .contains("models/published/revenue.yaml:9: Unknown key 'expected' in a unit test")
        .contains("did you mean 'expect'?");
  }

  private List<String> snapshot() throws IOException {
    try (Stream<Path> walk = Files.walk(project)) {
      return walk.filter(Files::isRegularFile)
          .filter(path -> !project.relativize(path).startsWith(".sluice/logs"))
          .map(
              path -> {
                try {
                  return project.relativize(path)
                      + " "
                      + Files.size(path)
                      + " "
                      + Files.getLastModifiedTime(path).toMillis();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sorted()
          .toList();
    }
  }
}
