package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice maintain}: retention and snapshot expiry, in-process. */
class MaintainCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void deletesExpiredRowsAndSaysWhatItDid() throws IOException {
    write(project, "sluice.yaml", "name: kept\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: events\n    path: data/*.csv\n"
            + "    retention: {column: day, keep: 30d}\n");
    write(project, "data/a.csv", "id,day\n1,2001-01-01\n2,2999-01-01\n");
    assertThat(sluice("run").code()).isZero();

    InProcessCli.Result maintain = sluice("--json", "maintain", "--retention");

    assertThat(maintain.code()).as(maintain.err()).isZero();
    JsonNode document = JSON.readTree(maintain.out());
    assertThat(document.get("retention")).hasSize(1);
    assertThat(document.get("retention").get(0).get("table").asText()).isEqualTo("raw.shop_events");
    assertThat(document.get("retention").get(0).get("rowsDeleted").asLong()).isEqualTo(1);
    assertThat(document.get("snapshots")).isEmpty();

    InProcessCli.Result query =
        sluice("query", "select id from raw.shop_events", "--format", "csv");
    assertThat(query.out()).contains("2").doesNotContain("\n1\n");

    InProcessCli.Result audit = sluice("audit", "--action", "maintenance");
    assertThat(audit.out()).contains("raw.shop_events", "\"rows_deleted\":1");

    InProcessCli.Result again = sluice("maintain");
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("raw.shop_events", "retention (day <");
  }

  @Test
  void saysWhenThereIsNothingToMaintain() throws IOException {
    write(project, "sluice.yaml", "name: plain\n");
    InProcessCli.Result maintain = sluice("maintain");
    assertThat(maintain.code()).isZero();
    assertThat(maintain.err()).contains("Nothing to maintain");
  }
}
