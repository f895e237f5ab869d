package dev.sluice.cli;

import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.SourceConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The options table of a connector's page ({@code docs/connectors/<type>.md}, with - for _ in the
 * type), generated from its {@link ConnectorOption} declarations so that the docs cannot drift from
 * the code. The table sits between two marker comments; the rest of the page is written by hand.
 */
final class ConnectorDocs {
  /** The command that rewrites every page's generated block, from the repository root. */
  static final String REGENERATE = "./sluice connectors docs --write --dir docs/connectors";

  static final String BEGIN =
      "<!-- BEGIN GENERATED OPTIONS: do not edit; regenerate with `" + REGENERATE + "` -->";
  static final String END = "<!-- END GENERATED OPTIONS -->";

  private ConnectorDocs() {}

  /** The page of a connector in a docs directory. */
  static Path page(Path directory, SourceConnector connector) {
    return directory.resolve(connector.type().replace('_', '-') + ".md");
  }

  /** The generated block, markers included: a Markdown table of the connector's options. */
  static String block(SourceConnector connector) {
    StringBuilder block = new StringBuilder(BEGIN).append('\n');
    if (connector.options().isEmpty()) {
      block.append("The `").append(connector.type()).append("` connector takes no options.\n");
      return block.append(END).append('\n').toString();
    }
    block.append("| option | type | default | description |\n");
    block.append("|---|---|---|---|\n");
    for (ConnectorOption option : connector.options()) {
      String type =
          option.allowedValues().isEmpty()
              ? option.type().displayName()
              : String.join(
                  " \\| ", option.allowedValues().stream().map(v -> "`" + v + "`").toList());
      if (option.required()) {
        type += ", required";
      }
      if (option.secret()) {
        type += ", secret (by reference only)";
      }
      block
          .append("| `")
          .append(option.name())
          .append("` | ")
          .append(type)
          .append(" | ")
          .append(option.defaultValue() == null ? "" : "`" + option.defaultValue() + "`")
          .append(" | ")
          .append(escape(option.description()))
          .append(" |\n");
    }
    return block.append(END).append('\n').toString();
  }

  /** The block a page holds now, markers included, or empty when it has none. */
  static Optional<String> currentBlock(String page) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    if (begin < 0 || end < begin) {
      return Optional.empty();
    }
    int after = end + END.length();
    if (after < page.length() && page.charAt(after) == '\n') {
      after++;
    }
    return Optional.of(page.substring(begin, after));
  }

  /** Whether the page exists and holds exactly the block the connector's options generate. */
  static boolean isCurrent(Path directory, SourceConnector connector) {
    Path page = page(directory, connector);
    if (!Files.isRegularFile(page)) {
      return false;
    }
    return currentBlock(read(page)).map(block(connector)::equals).orElse(false);
  }

  /**
   * Writes the generated block into the connector's page: in place of the old block, else at the
   * end; a page that does not exist is created with a title, the description and the block.
   *
   * @return whether the page changed
   */
  static boolean write(Path directory, SourceConnector connector) {
    Path page = page(directory, connector);
    String block = block(connector);
    String updated;
    if (Files.isRegularFile(page)) {
      String text = read(page);
      Optional<String> current = currentBlock(text);
      if (current.isPresent()) {
        updated = text.replace(current.get(), block);
      } else {
        updated = text + (text.endsWith("\n") ? "\n" : "\n\n") + "## Options\n\n" + block;
      }
      if (updated.equals(text)) {
        return false;
      }
    } else {
      updated =
          "# The `"
              + connector.type()
              + "` connector\n\n"
              + (connector.description().isEmpty()
                  ? ""
                  : "Reads " + connector.description() + ".\n\n")
              + "## Options\n\n"
              + block;
    }
    try {
      Files.createDirectories(directory);
      Files.writeString(page, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  private static String escape(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String read(Path page) {
    try {
      return Files.readString(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
