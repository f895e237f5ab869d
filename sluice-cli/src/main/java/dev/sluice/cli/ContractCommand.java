package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.OdcsContracts;
import dev.sluice.core.project.Project;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "contract",
    description =
        "Data contracts as Open Data Contract Standard (ODCS v3) YAML: 'contract export NAME'"
            + " writes a model's or source table's contract, 'contract import FILE' turns one"
            + " into Sluice properties (docs/quality.md#contracts).",
    subcommands = {ContractCommand.Export.class, ContractCommand.Import.class})
final class ContractCommand extends GroupCommand {
  @Command(
      name = "export",
      description =
          "Write the contract of a model or source table (source.table) as an ODCS v3 document:"
              + " to stdout, or to --out FILE; --json prints it as JSON.")
  static final class Export implements java.util.concurrent.Callable<Integer> {
    @ParentCommand ContractCommand contract;

    @Parameters(paramLabel = "NAME", description = "A model, or a source table as source.table.")
    String name;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the document to FILE.")
    Path out;

    @Override
    public Integer call() {
      Project project = contract.loadProject();
      Asset asset =
          project
              .findAsset(name)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "No model or source table '"
                              + name
                              + "': give a model's name or source.table ('sluice ls' lists"
                              + " them)"));
      Map<String, Object> document = OdcsContracts.document(project, asset);
      if (out != null) {
        write(out, OdcsContracts.toYaml(document));
        contract.output().message("Wrote the contract of " + name + " to " + out);
      }
      if (contract.json()) {
        contract.output().json(document);
      } else if (out == null) {
        contract.output().line(OdcsContracts.toYaml(document).stripTrailing());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "import",
      description =
          "Read an ODCS v3 data contract into Sluice properties YAML (a model's, or a source"
              + " table's entry for its source's tables:): to stdout, or to --out FILE. Quality"
              + " rules Sluice cannot hold as constraints are listed on stderr.")
  static final class Import implements java.util.concurrent.Callable<Integer> {
    @ParentCommand ContractCommand contract;

    @Parameters(paramLabel = "FILE", description = "The ODCS v3 YAML document.")
    Path file;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write the properties to FILE (e.g. models/marts/revenue.yaml).")
    Path out;

    @Override
    public Integer call() {
      Path absolute = file.toAbsolutePath().normalize();
      if (!Files.isRegularFile(absolute)) {
        throw new InvalidInputException("No such file: " + file);
      }
      Path root = Path.of("").toAbsolutePath();
      OdcsContracts.Imported imported =
          OdcsContracts.importContract(
              absolute.startsWith(root) ? root : absolute.getParent(), absolute);
      for (String note : imported.notes()) {
        contract.output().message("note: " + note);
      }
      if (out != null) {
        write(out, imported.yaml());
        contract.output().message("Wrote the properties of " + imported.name() + " to " + out);
      }
      if (contract.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", imported.name());
        json.put("properties", imported.yaml());
        json.put("notes", imported.notes());
        contract.output().json(json);
      } else if (out == null) {
        contract.output().line(imported.yaml().stripTrailing());
      }
      return ExitCodes.OK;
    }
  }

  private static void write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
