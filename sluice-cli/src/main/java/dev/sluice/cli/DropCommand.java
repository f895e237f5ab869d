package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.lake.Lake;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "drop",
    description =
        "Drop a table (deleting its data and metadata files) or a view. Meant for orphans, which"
            + " 'sluice tables' marks; a table the project still defines needs --force.")
final class DropCommand extends BaseCommand {
  @Parameters(paramLabel = "TABLE", description = "The table or view, as zone.name.")
  String table;

  @Option(
      names = "--force",
      description = "Drop it even though a source, seed or model of the project produces it.")
  boolean force;

  @Override
  public Integer call() {
    TableName name = TableName.parse(table);
    Project project = loadProject();
    if (project.defines(name) && !force) {
      throw new InvalidInputException(
          "Table "
              + name
              + " is produced by this project (a source, seed or model defines it): the next run"
              + " would build it again. Remove its definition first, or drop it anyway with"
              + " 'sluice drop "
              + name
              + " --force'");
    }
    try (Lake lake = Workspace.openLake(project.config())) {
      if (!lake.listTables().contains(name)) {
        throw new InvalidInputException(
            "Table " + name + " does not exist; 'sluice tables' lists the tables there are");
      }
      lake.dropTable(name);
      if (json()) {
        output().json(Map.of("table", name.toString(), "dropped", true));
      } else {
        output().message("Dropped " + name + " and its files");
      }
      return ExitCodes.OK;
    }
  }
}
