package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.lake.Lake;
import dev.sluice.lake.LakeRelocation;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
    name = "relocate",
    description =
        "After moving or copying a project: point the catalog at this project's warehouse by"
            + " rewriting the tables' metadata paths (Iceberg's table-path rewrite). A copy then"
            + " reads and writes only its own files.")
final class RelocateCommand extends BaseCommand {
  @Override
  public Integer call() {
    Project project = loadProject();
    if (project.config().warehouseObjectStore() != null) {
      output()
          .message(
              "Nothing to relocate: the warehouse is in object storage ("
                  + project.config().warehouseObjectStore()
                  + "), where moving the project does not move it");
      return ExitCodes.OK;
    }
    LakeRelocation.Result result =
        LakeRelocation.relocate(
            project.config().warehouse(),
            project.config().catalogUrl(),
            project.config().catalogProperties());
    try (Lake lake = Workspace.openLake(project.config())) {
      // opening checks that every table is now where the catalog says
      lake.listTables();
    }
    if (json()) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("from", result.from());
      summary.put("to", result.to());
      summary.put("tables", result.tables());
      summary.put("views", result.views());
      output().json(summary);
    } else if (result.from() == null) {
      output().message("Nothing to relocate: every table is in " + result.to());
    } else {
      output()
          .message(
              "Relocated "
                  + result.tables()
                  + (result.tables() == 1 ? " table" : " tables")
                  + " and "
                  + result.views()
                  + (result.views() == 1 ? " view" : " views")
                  + " from "
                  + result.from()
                  + " to "
                  + result.to());
    }
    return ExitCodes.OK;
  }
}
