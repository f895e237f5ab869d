package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.server.auth.Credentials;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "user",
    description =
        "People who sign in to the server with a password (docs/server.md): 'user set-password"
            + " USER', 'user remove-password USER'. Only a bcrypt hash is kept.",
    subcommands = {UserCommand.SetPassword.class, UserCommand.RemovePassword.class})
final class UserCommand extends GroupCommand {
  @Command(
      name = "set-password",
      description =
          "Sets the password a user of policies.yaml signs in to the server with: asked twice on"
              + " the terminal, or read from the first line of stdin with --password-stdin.")
  static final class SetPassword implements java.util.concurrent.Callable<Integer> {
    @ParentCommand UserCommand user;

    @Parameters(paramLabel = "USER", description = "A user of policies.yaml.")
    String name;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of stdin (for scripts).")
    boolean fromStdin;

    @Override
    public Integer call() throws IOException {
      try (Workspace workspace = user.openWorkspace()) {
        String principal = new QueryService(workspace).principal(name).name();
        char[] password = fromStdin ? readStdin() : readTwice(principal);
        try {
          workspace
              .runStore()
              .passwords()
              .set(principal, Credentials.hashPassword(password), user.clock().instant());
        } finally {
          Arrays.fill(password, '\0');
        }
        recordCredential(workspace, "password_set", entry -> entry.detail("for", principal));
        user.output().message("Set the password of " + principal + ".");
        return ExitCodes.OK;
      }
    }

    private static char[] readStdin() throws IOException {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null || line.isEmpty()) {
        throw new InvalidInputException(
            "No password on stdin: write it as the first line, e.g. echo \"$PASSWORD\" | sluice"
                + " user set-password USER --password-stdin");
      }
      return line.toCharArray();
    }

    // Java 17 is the baseline: System.console() is null without a terminal there
    @SuppressWarnings("SystemConsoleNull")
    private static char[] readTwice(String principal) {
      Console console = System.console();
      if (console == null) {
        throw new InvalidInputException("No terminal to ask the password on: use --password-stdin");
      }
      char[] first = console.readPassword("New password for %s: ", principal);
      char[] second = console.readPassword("Repeat it: ");
      if (first == null || second == null || !Arrays.equals(first, second)) {
        throw new InvalidInputException("The two passwords differ: run the command again");
      }
      Arrays.fill(second, '\0');
      return first;
    }
  }

  @Command(
      name = "remove-password",
      description = "Removes a user's password: the user can no longer sign in with one.")
  static final class RemovePassword implements java.util.concurrent.Callable<Integer> {
    @ParentCommand UserCommand user;

    @Parameters(paramLabel = "USER", description = "A user with a password.")
    String name;

    @Override
    public Integer call() {
      try (Workspace workspace = user.openWorkspace()) {
        if (!workspace.runStore().passwords().remove(name.strip())) {
          throw new InvalidInputException(name.strip() + " has no password");
        }
        recordCredential(workspace, "password_removed", entry -> entry.detail("for", name.strip()));
        user.output().message("Removed the password of " + name.strip() + ".");
        return ExitCodes.OK;
      }
    }
  }
}
