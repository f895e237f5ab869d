package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code --target} on every command: the command tree is walked (a new command cannot miss it), and
 * each command that works on a project is run with a target sluice.yaml does not have, after its
 * name and before it. Refusing it with sluice.yaml's line proves that the command reads its
 * project's settings through the target; a command that ignored {@code --target} would go on with
 * the default target's warehouse. The few commands that work on no project (they create one, or
 * describe Sluice itself) take the option too.
 */
class TargetOnEveryCommandTest {
  /** Arguments a command needs besides {@code --target}, so that it gets as far as the project. */
  private static final Map<String, List<String>> ARGUMENTS =
      Map.ofEntries(
          Map.entry("access explain", List.of("analyst", "curated.big")),
          Map.entry("access approve", List.of("1")),
          Map.entry("access deny", List.of("1")),
          Map.entry("access request", List.of("published.x", "--reason", "why")),
          Map.entry("backfill", List.of("--select", "big", "--from", "2024-01-01")),
          Map.entry("catalog columns", List.of()),
          Map.entry("checks accept", List.of("big")),
          Map.entry("checks history", List.of("big")),
          Map.entry("contract export", List.of("big")),
          Map.entry("diff", List.of("curated.big", "--env", "dev")),
          Map.entry("drop", List.of("curated.big")),
          Map.entry("env drop", List.of("dev")),
          Map.entry("env rebase", List.of("dev")),
          Map.entry("env show", List.of("dev")),
          Map.entry("erase", List.of("--subject", "customer_id=1")),
          Map.entry("ingest", List.of("--source", "shop")),
          Map.entry("partitions", List.of("big")),
          Map.entry("repair", List.of("curated.big")),
          Map.entry("sources discover", List.of("shop")),
          Map.entry("lineage", List.of("big")),
          Map.entry("ls", List.of("--select", "big")),
          Map.entry("profile", List.of("curated.big")),
          Map.entry("promote", List.of("dev")),
          Map.entry("query", List.of("select 1")),
          Map.entry("rerun", List.of("run-1", "--from-failure")),
          Map.entry("rollback", List.of("--to", "promotion-1")),
          Map.entry("runs cancel", List.of("run-1")),
          Map.entry("runs prune", List.of("--older-than", "30d")),
          Map.entry("runs show", List.of("run-1")),
          Map.entry("token create", List.of("analyst")),
          Map.entry("token revoke", List.of("token-1")),
          Map.entry("user remove-password", List.of("analyst")),
          Map.entry("user set-password", List.of("analyst")));

  /**
   * Commands that work on no Sluice project: they take {@code --target} and have nothing of
   * sluice.yaml to read. They create a project (init, demo), describe Sluice itself (connectors,
   * help), convert a file (contract import), only say which subcommand to use (access, catalog), or
   * work on a dbt project only (clean, deps: there {@code --target} is the profile's output, tested
   * in DbtFlagsCliTest).
   */
  private static final Set<String> NO_PROJECT =
      Set.of(
          "init",
          "demo",
          "connectors",
          "connectors describe",
          "connectors docs",
          "help",
          "contract import",
          "access",
          "catalog",
          "clean",
          "deps");

  /** The exit code of a project that does not load, where it is not 2. */
  private static final Map<String, Integer> CODES =
      Map.of("ci", 1); // sluice ci: a project that does not load fails the checks (docs/ci.md)

  @TempDir Path project;

  @BeforeEach
  void aProjectWithTargets() throws IOException {
    write(
        project,
        "sluice.yaml",
        """
        name: shop
        default_target: dev
        targets:
          dev:
            warehouse: wh-dev
          ci:
            warehouse: wh-ci
        """);
    write(project, "models/curated/big.sql", "select 1 as id\n");
  }

  static Stream<Arguments> everyCommand() {
    Map<String, CommandLine> commands = new TreeMap<>();
    walk(SluiceCommand.withAllCommands(), "", commands);
    List<Arguments> arguments = new ArrayList<>();
    commands.forEach(
        (path, command) -> {
          if (!(command.getCommandSpec().userObject() instanceof GroupCommand)) {
            arguments.add(Arguments.of(path));
          }
        });
    return arguments.stream();
  }

  private static void walk(CommandLine command, String path, Map<String, CommandLine> commands) {
    command
        .getSubcommands()
        .forEach(
            (name, subcommand) -> {
              if (name.equals(subcommand.getCommandName())) {
                String subPath = path.isEmpty() ? name : path + " " + name;
                commands.put(subPath, subcommand);
                walk(subcommand, subPath, commands);
              }
            });
  }

  @ParameterizedTest(name = "sluice {0} --target cj")
  @MethodSource("everyCommand")
  void everyCommandTakesTheTarget(String command) {
    List<String> words = List.of(command.split(" "));
    List<String> extra = ARGUMENTS.getOrDefault(command, List.of());
    for (boolean before : List.of(true, false)) {
      List<String> args = new ArrayList<>();
      if (before) {
        args.addAll(List.of("--target", "cj"));
      }
      args.addAll(words);
      args.addAll(extra);
      if (!before) {
        args.addAll(List.of("--target", "cj"));
      }
      InProcessCli.Result result = InProcessCli.sluice(project, args.toArray(String[]::new));
      assertThat(result.err()).as(String.join(" ", args)).doesNotContain("Unknown option");
      if (NO_PROJECT.contains(command)) {
        continue;
      }
      assertThat(result.code())
          .as(String.join(" ", args) + "\n" + result.err())
          .isEqualTo(CODES.getOrDefault(command, 2));
      assertThat(result.err())
          .as(String.join(" ", args))
          .contains("sluice.yaml:3")
          .contains("Unknown target 'cj' (asked for by --target)")
          .contains("did you mean 'ci'?");
    }
  }

  @Test
  void theTreeIsWalked() {
    assertThat(everyCommand().map(arguments -> (String) arguments.get()[0]))
        .contains("run", "plan", "env list", "env drop", "promote", "rollback", "diff", "ci")
        .hasSizeGreaterThan(50);
  }
}
