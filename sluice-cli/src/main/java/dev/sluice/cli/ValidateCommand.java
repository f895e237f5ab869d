package dev.sluice.cli;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.lineage.AssetColumns;
import dev.sluice.core.lineage.ProjectLineage;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.ProjectLoading;
import dev.sluice.core.query.PolicyCheck;
import dev.sluice.core.run.ModelCompiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

@Command(
    name = "validate",
    description =
        "Load and check the project's files and compile every model against its inputs' columns,"
            + " without running anything; warn of secret references whose environment variable or"
            + " file is missing (only the sources a run loads need them).")
final class ValidateCommand extends BaseCommand {
  @Override
  public Integer call() {
    // the warehouse, engine and state database open while the project loads
    ProjectLoading loading = startLoadingProject();
    Workspace opened;
    try {
      opened = Workspace.open(loading, target(), clock(), Workspace.localPrincipal());
    } catch (RuntimeException e) {
      // what validate said before it needed them, as it said it before opening them
      List<String> warnings = secretWarnings(loading.project());
      lineageWarnings(ProjectLineage.of(loading.project()).notDerivable(), warnings);
      throw e;
    }
    Project project = opened.project();
    List<String> warnings;
    ModelCompiler.Result compiled;
    try (Workspace workspace = opened) {
      warnings = secretWarnings(project);
      // kept from the last validate for the models whose SQL and inputs did not change
      lineageWarnings(
          ProjectLineage.notDerivable(
              project, workspace.runStore().derivedCache(), workspace.clock().instant()),
          warnings);
      compiled =
          ModelCompiler.compile(
              project,
              workspace.lake(),
              workspace::engine,
              workspace.runStore().derivedCache(),
              workspace.clock().instant());
      PolicyCheck.check(project, workspace.lake(), workspace.engine());
    }
    int sourceTables = project.sources().values().stream().mapToInt(s -> s.tables().size()).sum();
    if (json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("valid", true);
      result.put("project", project.config().name());
      result.put("sourceTables", sourceTables);
      result.put("models", project.models().size());
      result.put("modelsCompiled", compiled.compiled());
      result.put("modelsNotCompiled", new TreeMap<>(compiled.notBound()).keySet());
      result.put("seeds", project.seeds().size());
      result.put("unitTests", project.unitTests().size());
      result.put("policies", project.policies().declared());
      result.put("warnings", warnings);
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
                + " models"
                + (project.unitTests().isEmpty()
                    ? ""
                    : ", "
                        + project.unitTests().size()
                        + " unit tests (checked, not run: 'sluice test --unit' runs them)")
                + notCompiled(compiled)
                + ".");
    return ExitCodes.OK;
  }

  /**
   * Warns of secret references whose environment variable or file is missing: secrets are resolved
   * only when a run loads their source (the references' form was checked when the project was
   * loaded).
   */
  private List<String> secretWarnings(Project project) {
    List<String> warnings = new ArrayList<>();
    try {
      project.checkSecrets(project.environment());
    } catch (ProjectException e) {
      e.problems().forEach(problem -> warnings.add(problem.toString()));
    }
    warnings.forEach(
        warning ->
            output().message("warning: " + warning + "; a run that loads this source will fail"));
    return warnings;
  }

  /**
   * Warns of each model whose column lineage cannot be derived (it gets no column lineage and
   * inherits no classification), with the model's file and why.
   */
  private void lineageWarnings(Map<String, AssetColumns> notDerivable, List<String> warnings) {
    for (AssetColumns model : notDerivable.values()) {
      String warning =
          model.location()
              + ": the column lineage of model '"
              + model.asset()
              + "' cannot be derived: "
              + model.notDerivable();
      warnings.add(warning);
      output()
          .message(
              "warning: "
                  + warning
                  + "; its columns have no column lineage and inherit no classification");
    }
  }

  /** "; 2 models not compiled yet: raw.shop_orders has not been loaded", or nothing. */
  private static String notCompiled(ModelCompiler.Result compiled) {
    if (compiled.notBound().isEmpty()) {
      return "";
    }
    Map<String, TableName> byModel = new TreeMap<>(compiled.notBound());
    TableName first = byModel.values().iterator().next();
    return "; "
        + byModel.size()
        + (byModel.size() == 1 ? " model (" : " models (")
        + String.join(", ", byModel.keySet())
        + ") checked but not compiled against columns: "
        + first
        + " has not been built yet ('sluice run' builds it)";
  }
}
