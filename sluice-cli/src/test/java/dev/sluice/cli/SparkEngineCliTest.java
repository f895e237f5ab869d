package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sluice.jar ships the Spark engine: a model's {@code engine: spark} is found from the command
 * line, and a Spark Connect server that cannot be reached fails the work naming its address, never
 * the token. (A real Spark server is in sluice-engine-spark's tests.)
 */
class SparkEngineCliTest {
  private static final String TOKEN = "spark-token-5f1e9c2a7b";

  @TempDir Path project;

  private record Result(int code, String out, String err) {}

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

  private void writeProject(String engine) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    write(project, "secrets/spark-token", TOKEN + "\n");
    write(
        project,
        "sluice.yaml",
        "name: shop\nspark:\n  remote: \"sc://127.0.0.1:"
            + closedPort
            + "\"\n  token: ${file:secrets/spark-token}\n");
    write(project, "seeds/orders.csv", "id,amount\n1,10\n2,20\n");
    write(
        project,
        "models/totals.sql",
        "{{ config(engine='"
            + engine
            + "') }}\nselect sum(amount) as total from {{ ref('orders') }}\n");
  }

  @Test
  void aSparkModelWhoseServerCannotBeReachedFailsNamingTheAddressNotTheToken() throws IOException {
    writeProject("spark");

    Result run = sluice("run");
    assertThat(run.code()).isEqualTo(ExitCodes.RUN_FAILED);
    String output = run.out() + run.err();
    assertThat(output)
        .contains("orders")
        .contains("The Spark Connect server at sc://127.0.0.1:")
        .doesNotContain(TOKEN);

    Result validate = sluice("validate");
    assertThat(validate.code()).isNotEqualTo(ExitCodes.OK);
    assertThat(validate.err())
        .contains("The Spark Connect server at sc://127.0.0.1:")
        .doesNotContain(TOKEN);
  }

  @Test
  void aMisspelledEngineIsAProblemAtItsLine() throws IOException {
    writeProject("sprak");
    Result validate = sluice("validate");
    assertThat(validate.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(validate.err())
        .contains("models/totals.sql:1")
        .contains("Unknown engine 'sprak'")
        .contains("did you mean 'spark'?");
  }
}
