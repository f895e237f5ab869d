package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.ProjectScaffold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "init", description = "Create a new project in a new directory.")
final class InitCommand extends BaseCommand {
  @Parameters(
      paramLabel = "DIRECTORY",
      description = "Directory to create; its name is the project name.")
  Path directory;

  @Override
  public Integer call() {
    Path target = projectDirectory().resolve(directory).normalize();
    if (Files.exists(target.resolve("sluice.yaml"))) {
      throw new InvalidInputException(
          target + " already holds a Sluice project (sluice.yaml exists)");
    }
    String name = target.getFileName().toString();
    ProjectScaffold.create(target, name);
    if (json()) {
      output().json(Map.of("project", name, "directory", target.toString()));
    }
    output().message("Created project '" + name + "' in " + target);
    output()
        .message(
            "Next: cd "
                + directory
                + " && sluice run && sluice query \"select * from curated.example_clean\"");
    return ExitCodes.OK;
  }
}
