package dev.sluice.cli;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.lake.Lake;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "repair",
    description =
        "Roll a damaged table (its current metadata file missing or not JSON) back to its newest"
            + " readable earlier metadata file. The table loses the commits after that file; the"
            + " next run loads their data again.")
final class RepairCommand extends BaseCommand {
  @Parameters(paramLabel = "TABLE", description = "The damaged table, as zone.name.")
  String table;

  @Override
  public Integer call() {
    TableName name = TableName.parse(table);
    Project project = loadProject();
    try (Lake lake = Workspace.openLake(project.config())) {
      String metadata = lake.repairTable(name);
      if (json()) {
        output().json(Map.of("table", name.toString(), "metadataLocation", metadata));
      } else {
        output().message("Repaired " + name + ": it now uses " + metadata);
      }
      return ExitCodes.OK;
    }
  }
}
