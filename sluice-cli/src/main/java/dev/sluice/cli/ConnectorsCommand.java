package dev.sluice.cli;

import dev.sluice.api.RunFailedException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "connectors",
    description =
        "List the installed source connectors; 'describe NAME' shows a connector's options.",
    subcommands = {ConnectorsCommand.Describe.class, ConnectorsCommand.Docs.class})
final class ConnectorsCommand extends BaseCommand {
  @Override
  public Integer call() {
    List<SourceConnector> connectors = SourceConnectors.all();
    if (json()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (SourceConnector connector : connectors) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", connector.type());
        entry.put("description", connector.description());
        list.add(entry);
      }
      output().json(list);
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (SourceConnector connector : connectors) {
      rows.add(List.of(connector.type(), connector.description()));
    }
    output().table(List.of("connector", "description"), rows);
    return ExitCodes.OK;
  }

  @Command(name = "describe", description = "Show the options of a connector.")
  static final class Describe implements Callable<Integer> {
    @ParentCommand ConnectorsCommand parent;

    @Parameters(paramLabel = "NAME", description = "A connector, e.g. postgres.")
    String name;

    @Option(
        names = "--markdown",
        description = "Print the options as the Markdown table of the connector's docs page.")
    boolean markdown;

    @Override
    public Integer call() {
      SourceConnector connector = SourceConnectors.get(name);
      Output output = parent.output();
      if (markdown) {
        output.out().print(ConnectorDocs.block(connector));
        output.out().flush();
        return ExitCodes.OK;
      }
      if (parent.json()) {
        List<Map<String, Object>> options = new ArrayList<>();
        for (ConnectorOption option : connector.options()) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("name", option.name());
          entry.put("type", option.type().displayName());
          entry.put("required", option.required());
          entry.put("secret", option.secret());
          entry.put("default", option.defaultValue());
          if (!option.allowedValues().isEmpty()) {
            entry.put("values", option.allowedValues());
          }
          entry.put("description", option.description());
          options.add(entry);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", connector.type());
        result.put("description", connector.description());
        result.put("options", options);
        output.json(result);
        return ExitCodes.OK;
      }
      output.line(connector.type() + ": " + connector.description());
      output.line("");
      List<List<String>> rows = new ArrayList<>();
      for (ConnectorOption option : connector.options()) {
        String type =
            option.allowedValues().isEmpty()
                ? option.type().displayName()
                : String.join(" | ", option.allowedValues());
        rows.add(
            List.of(
                option.name(),
                type,
                option.required() ? "required" : option.secret() ? "secret" : "",
                option.defaultValue() == null ? "" : option.defaultValue(),
                option.description()));
      }
      output.table(List.of("option", "type", "flags", "default", "description"), rows);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "docs",
      description = {
        "Check that each installed connector's page (DIR/<name>.md) holds the options table its",
        "option declarations generate; --write updates the tables (and creates missing pages)."
      })
  static final class Docs implements Callable<Integer> {
    @ParentCommand ConnectorsCommand parent;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        defaultValue = "docs/connectors",
        description = "The connector pages (default: ${DEFAULT-VALUE}).")
    Path directory;

    @Option(names = "--write", description = "Write the generated tables into the pages.")
    boolean write;

    @Override
    public Integer call() {
      Output output = parent.output();
      List<String> stale = new ArrayList<>();
      for (SourceConnector connector : SourceConnectors.all()) {
        Path page = ConnectorDocs.page(directory, connector);
        if (write) {
          if (ConnectorDocs.write(directory, connector)) {
            output.message("Updated " + page);
          }
        } else if (!ConnectorDocs.isCurrent(directory, connector)) {
          stale.add(page.toString());
        }
      }
      if (!stale.isEmpty()) {
        throw new RunFailedException(
            "Out of date with the connectors' options (or missing): "
                + String.join(", ", stale)
                + "; run '"
                + ConnectorDocs.REGENERATE
                + "'");
      }
      if (!write) {
        output.message("The connector pages in " + directory + " are up to date.");
      }
      return ExitCodes.OK;
    }
  }
}
