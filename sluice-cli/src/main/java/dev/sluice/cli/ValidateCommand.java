package dev.sluice.cli;

import dev.sluice.core.project.Project;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
    name = "validate",
    description =
        "Load and check the project's files, and that the environment variables and files its"
            + " secret references name exist, without running anything.")
final class ValidateCommand extends BaseCommand {
  @Override
  public Integer call() {
    Project project = Project.load(projectDirectory());
    // secrets are resolved only by runs; validate checks that they can be
    project.checkSecrets(System::getenv);
    int sourceTables = project.sources().values().stream().mapToInt(s -> s.tables().size()).sum();
    if (json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("valid", true);
      result.put("project", project.config().name());
      result.put("sourceTables", sourceTables);
      result.put("models", project.models().size());
      result.put("seeds", project.seeds().size());
      output().json(result);
    }
    output()
        .message(
            "Project '"
                + project.config().name()
                + "' is valid: "
                + sourceTables
                + " source tables, "
                + project.seeds().size()
                + " seeds, "
                + project.models().size()
                + " models.");
    return ExitCodes.OK;
  }
}
