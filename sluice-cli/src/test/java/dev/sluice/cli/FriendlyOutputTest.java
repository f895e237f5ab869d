package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees on stderr, with the logging configuration the command ships with (in a child
 * process): friendly lines only, one per retry, and the log lines in the project's log file.
 */
class FriendlyOutputTest {
  @TempDir Path project;

  record Result(int code, String out, String err) {}

  private Result sluice(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(
        "-Dlogback.configurationFile=" + FriendlyOutputTest.class.getResource("/logback.xml"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SluiceCommand.class.getName());
    command.add("-p");
    command.add(project.toString());
    command.addAll(List.of(args));
    Path out = project.resolve("../" + project.getFileName() + ".out");
    Path err = project.resolve("../" + project.getFileName() + ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void aRetryIsOneFriendlyLineAndLogLinesGoToTheLogFile() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/api.yaml",
        "connector: http\n"
            + "options:\n"
            + "  url: http://127.0.0.1:"
            + closedPort
            + "/orders\n"
            + "  max_retries: 0\n"
            + "tables:\n"
            + "  - name: orders\n"
            + "    retries: 2\n");
    Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    List<String> lines = run.err().lines().toList();
    assertThat(lines.stream().filter(line -> line.contains("retry")))
        .as(run.err())
        .hasSize(2)
        .allMatch(line -> line.startsWith("  retry api.orders: attempt "));
    // no raw logger lines ("12:00:01 WARN  d.s.c.r.Runner - ...") among the friendly ones
    assertThat(lines)
        .as(run.err())
        .noneMatch(line -> line.matches("^\\d\\d:\\d\\d:\\d\\d.*(WARN|INFO|ERROR|DEBUG).*"));
    assertThat(Files.readString(project.resolve(Logging.LOG_FILE)))
        .contains("Retrying api.orders (attempt 2)")
        .contains("Retrying api.orders (attempt 3)");

    Result verbose = sluice("run", "--verbose");
    assertThat(verbose.err()).contains("INFO").contains("Retrying api.orders (attempt 2)");
  }
}
