package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command of the tree takes {@code -h} and {@code --help}: the tree is walked, so that a new
 * command cannot miss them.
 */
class HelpOptionsTest {
  static Stream<Arguments> everyCommandAndHelpOption() {
    List<Arguments> arguments = new ArrayList<>();
    walk(SluiceCommand.withAllCommands(), new ArrayList<>(), arguments);
    return arguments.stream();
  }

  private static void walk(CommandLine command, List<String> path, List<Arguments> arguments) {
    for (String option : List.of("-h", "--help")) {
      List<String> args = new ArrayList<>(path);
      args.add(option);
      arguments.add(Arguments.of(String.join(" ", path), args));
    }
    command
        .getSubcommands()
        .forEach(
            (name, subcommand) -> {
              // aliases share their command: walk each command once, by its name
              if (name.equals(subcommand.getCommandName())) {
                List<String> subPath = new ArrayList<>(path);
                subPath.add(name);
                walk(subcommand, subPath, arguments);
              }
            });
  }

  @ParameterizedTest(name = "sluice {1}")
  @MethodSource("everyCommandAndHelpOption")
  void printsUsageAndExitsZero(String command, List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SluiceCommand.execute(
            args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .as(err.toString())
        .contains("Usage: sluice" + (command.isEmpty() ? "" : " " + command) + " ")
        .contains("-h, --help")
        .contains("Exit codes:");
    assertThat(err.toString()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void theTreeIsWalked() {
    assertThat(everyCommandAndHelpOption().map(a -> (String) a.get()[0]))
        .contains("run", "runs show", "sources discover", "connectors describe");
  }
}
