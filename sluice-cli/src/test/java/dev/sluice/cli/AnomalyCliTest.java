package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An anomaly check through the command: a drop blocks the run, {@code sluice checks accept} trains
 * the flagged value in, and the next such value passes.
 */
class AnomalyCliTest {
  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  private void orders(int rows, int offset) throws IOException {
    StringBuilder csv = new StringBuilder("id\n");
    for (int i = 0; i < rows; i++) {
      csv.append(i + offset).append('\n');
    }
    write(project, "data/orders.csv", csv.toString());
  }

  @Test
  void aFlaggedDropBlocksTheRunAndAnAcceptedOneTrainsTheBand() throws Exception {
    write(project, "sluice.yaml", "name: cli\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n    checks:\n"
            + "      - anomaly: {metric: row_count, min_history: 1}\n");
    orders(100, 0);
    assertThat(sluice("run").code()).isEqualTo(0); // the first load: never history
    orders(100, 1);
    InProcessCli.Result second = sluice("run");
    assertThat(second.code()).isEqualTo(0);
    orders(5, 2);
    InProcessCli.Result drop = sluice("run");
    assertThat(drop.code()).as(drop.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(drop.err()).contains("anomaly(row_count)");
    InProcessCli.Result history = sluice("checks", "history", "anomaly(row_count)");
    assertThat(history.out()).contains("row_count 5 is outside the expected");

    InProcessCli.Result notAnomaly = sluice("checks", "accept", "not_null(id)");
    assertThat(notAnomaly.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(notAnomaly.err()).contains("No anomaly check named 'not_null(id)'");

    InProcessCli.Result accept = sluice("checks", "accept", "anomaly(row_count)");
    assertThat(accept.code()).as(accept.err()).isEqualTo(0);
    assertThat(accept.err()).contains("Accepted what run").contains("shop.orders");

    orders(5, 3);
    InProcessCli.Result again = sluice("run");
    assertThat(again.code()).as(again.err()).isEqualTo(0);
    assertThat(sluice("checks", "history", "anomaly(row_count)").out())
        .contains("row_count 5 is within the expected");
  }
}
