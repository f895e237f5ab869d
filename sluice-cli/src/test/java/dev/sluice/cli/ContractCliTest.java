package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice contract export|import}: ODCS v3 out of a project and back into properties, and a
 * build that breaks its contract failing the run with the diff.
 */
class ContractCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void exportsImportsAndFailsABuildThatBreaksTheContract() throws Exception {
    write(project, "sluice.yaml", "name: cli\n");
    write(project, "models/orders.sql", "select 1::bigint as id, 'x' as status\n");
    write(
        project,
        "models/orders.yaml",
        """
        models:
          - name: orders
            contract: {enforced: true}
            columns:
              - {name: id, type: bigint, constraints: [primary_key]}
              - {name: status, type: varchar}
          - name: plain
        """);
    write(project, "models/plain.sql", "select 1 as x\n");

    Path odcs = project.resolve("orders.odcs.yaml");
    InProcessCli.Result export = sluice("contract", "export", "orders", "--out", odcs.toString());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(export.err()).contains("Wrote the contract of orders to " + odcs);
    assertThat(Files.readString(project.resolve("orders.odcs.yaml")))
        .contains("kind: DataContract")
        .contains("primaryKey: true");

    InProcessCli.Result json = sluice("--json", "contract", "export", "orders");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode document = JSON.readTree(json.out());
    assertThat(document.get("apiVersion").asText()).isEqualTo("v3.1.0");
    assertThat(document.at("/schema/0/properties/0/name").asText()).isEqualTo("id");

    InProcessCli.Result imported =
        sluice("contract", "import", project.resolve("orders.odcs.yaml").toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out())
        .contains("models:")
        .contains("name: orders")
        .contains("enforced: true")
        .contains("primary_key");

    InProcessCli.Result none = sluice("contract", "export", "plain");
    assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("declares no contract").contains("contract: {enforced: true}");
    InProcessCli.Result unknown = sluice("contract", "export", "nope");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("No model or source table 'nope'");
    write(project, "bad.yaml", "kind: Something\napiVersion: v3.1.0\n");
    InProcessCli.Result bad = sluice("contract", "import", project.resolve("bad.yaml").toString());
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains(":1").contains("Not an ODCS data contract: kind is 'Something'");

    InProcessCli.Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isZero();
    write(project, "models/orders.sql", "select 'one' as id, 'x' as status\n");
    InProcessCli.Result broken = sluice("run");
    assertThat(broken.code()).isEqualTo(ExitCodes.DATA);
    assertThat(broken.err())
        .contains("violates its contract")
        .containsPattern("id\\s+bigint\\s+varchar\\s+<- type differs");
  }
}
