package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice checks history}: every result of a check, with its masked sample. */
class ChecksCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @Test
  void listsEveryResultOfACheckWithItsMaskedSample() throws Exception {
    write(project, "sluice.yaml", "name: cli\n");
    write(
        project, "seeds/people.csv", "id,email,country\n1,ann@example.com,de\n2,bob@mail.org,xx\n");
    write(
        project,
        "seeds/people.yaml",
        """
        seeds:
          - name: people
            columns:
              - {name: email, classification: [pii.email]}
            checks:
              - expression: {expression: "country <> 'xx'", name: known_country, severity: warn}
        """);

    InProcessCli.Result none = sluice("checks", "history", "known_country");
    assertThat(none.code()).isEqualTo(0);
    assertThat(none.err()).contains("No results of check known_country yet");

    assertThat(sluice("run").code()).isEqualTo(0);
    assertThat(sluice("test").code()).isEqualTo(0);

    JsonNode history = JSON.readTree(sluice("checks", "history", "known_country", "--json").out());
    assertThat(history).hasSize(2);
    for (JsonNode entry : history) {
      assertThat(entry.get("asset").asText()).isEqualTo("people");
      assertThat(entry.get("status").asText()).isEqualTo("failed");
      assertThat(entry.get("failingRows").asLong()).isEqualTo(1);
      // classified and no mask in policies.yaml: the e-mail is not kept
      assertThat(entry.get("sample").get(0).get("email").asText()).isEqualTo("[classified]");
      assertThat(entry.get("sample").get(0).get("country").asText()).isEqualTo("xx");
    }
    InProcessCli.Result text = sluice("checks", "history", "known_country");
    assertThat(text.out()).contains("people").contains("failed").doesNotContain("bob@");

    InProcessCli.Result unknown = sluice("checks", "history", "known_countyr");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("No check named 'known_countyr'").contains("known_country");

    InProcessCli.Result badAsset = sluice("checks", "history", "known_country", "--asset", "nope");
    assertThat(badAsset.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badAsset.err()).contains("No asset 'nope'");

    assertThat(sluice("checks").code()).isEqualTo(ExitCodes.USAGE);
  }
}
