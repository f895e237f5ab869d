package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every installed connector has a page in docs/connectors whose options table is the one its option
 * declarations generate: the docs cannot drift from the code.
 */
class ConnectorDocsTest {
  /** The repository's connector pages; tests run in the module directory. */
  private static final Path PAGES = Path.of("..", "docs", "connectors");

  @TempDir Path directory;

  @Test
  void everyInstalledConnectorHasAPageWithTheGeneratedOptions() {
    assertThat(SourceConnectors.all())
        .extracting(SourceConnector::type)
        .contains("file", "postgres");
    for (SourceConnector connector : SourceConnectors.all()) {
      Path page = ConnectorDocs.page(PAGES, connector);
      assertThat(page)
          .as(
              "connector %s has no page docs/connectors/%s.md; create it with `%s`",
              connector.type(), connector.type(), ConnectorDocs.REGENERATE)
          .isRegularFile();
      assertThat(ConnectorDocs.isCurrent(PAGES, connector))
          .as(
              "the options table of docs/connectors/%s.md differs from what the options of"
                  + " connector %s generate; regenerate it with `%s` (from the repository root)",
              connector.type(), connector.type(), ConnectorDocs.REGENERATE)
          .isTrue();
    }
  }

  @Test
  void theDocsCommandWritesMissingPagesAndThenFindsThemCurrent() throws IOException {
    Files.writeString(
        directory.resolve("postgres.md"),
        "# Postgres\n\nHand-written text.\n\n"
            + ConnectorDocs.BEGIN
            + "\nold\n"
            + ConnectorDocs.END
            + "\n\nMore text.\n");
    Result stale = sluice("connectors", "docs", "--dir", directory.toString());
    assertThat(stale.code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(stale.err()).contains("postgres.md").contains(ConnectorDocs.REGENERATE);

    Result write = sluice("connectors", "docs", "--write", "--dir", directory.toString());
    assertThat(write.code()).as(write.err()).isZero();
    String postgres = Files.readString(directory.resolve("postgres.md"));
    assertThat(postgres)
        .startsWith("# Postgres\n\nHand-written text.\n\n")
        .endsWith("\n\nMore text.\n")
        .contains("| `url` | string, required |")
        .contains("| `password` | string, secret (by reference only) |")
        .contains("| `mode` | `full` \\| `incremental` | `full` |")
        .doesNotContain("\nold\n");
    assertThat(directory.resolve("file.md")).isRegularFile();

    Result check = sluice("connectors", "docs", "--dir", directory.toString());
    assertThat(check.code()).as(check.err()).isZero();
    assertThat(check.err()).contains("up to date");
  }

  @Test
  void describeMarkdownPrintsTheGeneratedBlock() {
    Result result = sluice("connectors", "describe", "postgres", "--markdown");
    assertThat(result.code()).isZero();
    assertThat(result.out())
        .isEqualTo(ConnectorDocs.block(SourceConnectors.get("postgres")))
        .startsWith(ConnectorDocs.BEGIN)
        .contains("| option | type | default | description |");
  }

  record Result(int code, String out, String err) {}

  private static Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }
}
