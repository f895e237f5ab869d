package dev.sluice.cli;

import dev.sluice.core.project.DbtClean;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code sluice clean}: dbt's {@code clean} in a dbt project. */
@Command(
    name = "clean",
    description =
        "dbt's clean: remove the directories of dbt_project.yml's clean-targets (default: its"
            + " target-path); a target outside the project or holding the project's files is"
            + " refused, and then nothing is removed.")
final class CleanCommand extends BaseCommand {
  @Override
  public Integer call() {
    DbtClean.Result result = DbtClean.clean(projectDirectory());
    result.removed().forEach(path -> output().message("Removed " + path));
    result.absent().forEach(path -> output().message(path + " is not there"));
    if (json()) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("removed", result.removed());
      report.put("absent", result.absent());
      output().json(report);
    }
    return ExitCodes.OK;
  }
}
