package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.ApiToken;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "token",
    description =
        "API tokens for the server (docs/server.md): 'token create PRINCIPAL' prints a new token"
            + " once, 'token list' shows them, 'token revoke ID' stops one. Only a hash is kept.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand extends GroupCommand {
  private static final Pattern AGE = Pattern.compile("(\\d+)\\s*([hdw])");

  /** {@code 90d}, {@code 12h}, {@code 2w}: how long a token lives. */
  static Duration parseExpiry(String text) {
    Matcher matcher = AGE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      throw new InvalidInputException(
          "Invalid --expires '"
              + text
              + "': write a number and a unit, e.g. 90d (days), 12h (hours) or 2w (weeks), or"
              + " 'never'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "h" -> Duration.ofHours(amount);
      case "w" -> Duration.ofDays(amount * 7);
      default -> Duration.ofDays(amount);
    };
  }

  @Command(
      name = "create",
      description =
          "Creates an API token acting as a user or group of policies.yaml and prints it once on"
              + " stdout; send it as 'Authorization: Bearer TOKEN'.")
  static final class Create implements java.util.concurrent.Callable<Integer> {
    @ParentCommand TokenCommand token;

    @Parameters(paramLabel = "PRINCIPAL", description = "A user or group of policies.yaml.")
    String principal;

    @Option(
        names = "--expires",
        defaultValue = "90d",
        description = "How long it works: 90d, 12h, 2w, or never (default: ${DEFAULT-VALUE}).")
    String expires;

    @Override
    public Integer call() {
      Instant now = token.clock().instant();
      Instant expiresAt =
          "never".equalsIgnoreCase(expires.strip()) ? null : now.plus(parseExpiry(expires));
      try (Workspace workspace = token.openWorkspace()) {
        String name = new QueryService(workspace).principal(principal).name();
        IssuedToken issued =
            Credentials.newToken(name, now, expiresAt, workspace.audit().principal());
        workspace.runStore().tokens().create(issued.record());
        recordCredential(
            workspace,
            "token_created",
            entry ->
                entry
                    .detail("token_id", issued.record().id())
                    .detail("for", name)
                    .detail("expires_at", expiresAt == null ? null : expiresAt.toString()));
        if (token.json()) {
          Map<String, Object> json = describe(issued.record());
          json.put("token", issued.token());
          token.output().json(json);
        } else {
          token.output().line(issued.token());
          token
              .output()
              .message(
                  "Created token "
                      + issued.record().id()
                      + " for "
                      + name
                      + (expiresAt == null ? ", never expiring" : ", expiring " + expiresAt)
                      + ". It is shown only this once: keep it in a secret store.");
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "list", description = "Lists the API tokens (never the tokens themselves).")
  static final class ListTokens implements java.util.concurrent.Callable<Integer> {
    @ParentCommand TokenCommand token;

    @Override
    public Integer call() {
      try (var store = RunsCommand.openStore(token.loadProject())) {
        Instant now = token.clock().instant();
        return token.printList(
            store.tokens().list(),
            each -> {
              Map<String, Object> row = describe(each);
              row.put("status", status(each, now));
              return row;
            },
            "No API tokens: create one with 'sluice token create PRINCIPAL'.",
            List.of("id", "principal", "status", "created", "expires"),
            each ->
                List.of(
                    each.id(),
                    each.principal(),
                    status(each, now),
                    each.createdAt().toString(),
                    each.expiresAt() == null ? "never" : each.expiresAt().toString()));
      }
    }
  }

  @Command(name = "revoke", description = "Revokes an API token: it stops working at once.")
  static final class Revoke implements java.util.concurrent.Callable<Integer> {
    @ParentCommand TokenCommand token;

    @Parameters(paramLabel = "ID", description = "The token's id, as 'sluice token list' shows.")
    String id;

    @Override
    public Integer call() {
      try (Workspace workspace = token.openWorkspace()) {
        if (!workspace.runStore().tokens().revoke(id.strip(), token.clock().instant())) {
          throw new InvalidInputException(
              "No API token " + id.strip() + ": 'sluice token list' shows the tokens that exist");
        }
        recordCredential(workspace, "token_revoked", entry -> entry.detail("token_id", id.strip()));
        token.output().message("Revoked token " + id.strip() + ".");
        if (token.json()) {
          token.output().json(Map.of("revoked", id.strip()));
        }
        return ExitCodes.OK;
      }
    }
  }

  private static Map<String, Object> describe(ApiToken token) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", token.id());
    json.put("principal", token.principal());
    json.put("createdAt", token.createdAt().toString());
    json.put("createdBy", token.createdBy());
    json.put("expiresAt", token.expiresAt() == null ? null : token.expiresAt().toString());
    json.put("revokedAt", token.revokedAt() == null ? null : token.revokedAt().toString());
    return json;
  }

  private static String status(ApiToken token, Instant now) {
    return token.revokedAt() != null ? "revoked" : token.activeAt(now) ? "active" : "expired";
  }
}
