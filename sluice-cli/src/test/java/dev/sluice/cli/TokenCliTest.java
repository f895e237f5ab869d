package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice token create|list|revoke} (issue 14 item 2) on a real project and state database.
 */
class TokenCliTest {
  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeEach
  void project() throws Exception {
    write(project, "sluice.yaml", "name: tokens\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");
    write(
        project,
        "policies.yaml",
        "users:\n  - {name: analyst, roles: [analyst]}\nroles:\n  - {name: analyst}\n");
  }

  @Test
  void aTokenIsPrintedOnceStoredHashedListedAndRevoked() throws Exception {
    InProcessCli.Result created = sluice("token", "create", "analyst", "--expires", "30d");
    assertThat(created.code()).as(created.err()).isZero();
    String token = created.out().strip();
    assertThat(token).matches("sluice_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
    String id = token.substring(7, 23);
    assertThat(created.err())
        .contains("Created token " + id + " for analyst")
        .contains("only this once");

    // only the hash is kept: the token appears nowhere in the state database or the log files
    byte[] state = Files.readAllBytes(project.resolve(".sluice/state.db"));
    assertThat(new String(state, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(token.substring(24));

    InProcessCli.Result list = sluice("--json", "token", "list");
    assertThat(list.code()).as(list.err()).isZero();
    JsonNode tokens = new ObjectMapper().readTree(list.out());
    assertThat(tokens).hasSize(1);
    assertThat(tokens.get(0).path("id").asText()).isEqualTo(id);
    assertThat(tokens.get(0).path("principal").asText()).isEqualTo("analyst");
    assertThat(tokens.get(0).path("status").asText()).isEqualTo("active");
    assertThat(list.out()).doesNotContain(token.substring(24));

    InProcessCli.Result revoked = sluice("token", "revoke", id);
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(sluice("token", "list").out()).contains(id).contains("revoked");

    InProcessCli.Result audit = sluice("audit", "--action", "credential");
    assertThat(audit.out())
        .contains("token_created")
        .contains("token_revoked")
        .doesNotContain(token.substring(24));
  }

  @Test
  void badInputIsRefusedWithWhatToDo() {
    InProcessCli.Result unknown = sluice("token", "create", "analsyt");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err())
        .contains("Unknown principal 'analsyt'")
        .contains("did you mean analyst?");

    InProcessCli.Result expiry = sluice("token", "create", "analyst", "--expires", "soon");
    assertThat(expiry.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(expiry.err()).contains("Invalid --expires 'soon'").contains("90d");

    InProcessCli.Result missing = sluice("token", "revoke", "0000000000000000");
    assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err())
        .contains("No API token 0000000000000000")
        .contains("sluice token list");
  }
}
