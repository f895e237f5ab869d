package dev.sluice.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes dbt's {@code run_results.json} and {@code manifest.json} after a run of a dbt project, as
 * {@code dbt run}, {@code build}, {@code seed}, {@code snapshot} and {@code test} write them: each
 * step is its model's, seed's or snapshot's result, and each of its checks a test's.
 */
public final class DbtRunResults {
  private DbtRunResults() {}

  /**
   * Writes the artifacts of a finished run into the project's target path; nothing for a project
   * that is not a dbt project.
   *
   * @param command the command, which run_results.json's {@code args.which} names
   * @return the run_results.json written, or null
   */
  public static Path write(Project project, RunResult result, String command, Instant finishedAt) {
    if (project.dbt() == null) {
      return null;
    }
    DbtArtifacts artifacts = new DbtArtifacts(project);
    // the SQL this run's models ran (target/run/), which dbt's artifacts give as compiled_code
    Map<String, String> compiledCode =
        DbtRunFiles.ranSince(project, finishedAt.minus(result.duration()));
    ObjectNode manifest = artifacts.manifest(result.runId(), finishedAt);
    artifacts.addCompiledCode(manifest, compiledCode);
    artifacts.write("manifest.json", manifest);
    List<DbtArtifacts.NodeResult> nodes = new ArrayList<>();
    for (StepResult step : result.steps()) {
      if (step.kind() == StepKind.SOURCE) {
        continue; // dbt does not load sources
      }
      String relation = artifacts.relationName(TableName.parse(step.table()));
      if (!command.equals("test")) { // dbt test reports only its tests
        nodes.add(
            new DbtArtifacts.NodeResult(
                artifacts.uniqueId(step.asset()),
                switch (step.status()) {
                  case SUCCEEDED -> "success";
                  case SKIPPED -> "skipped";
                  default -> "error";
                },
                step.duration().toMillis() / 1000.0,
                step.status() == StepStatus.SUCCEEDED ? step.detail() : step.error(),
                null,
                relation,
                step.status() == StepStatus.SKIPPED ? null : compiledCode.get(step.asset())));
      }
      for (CheckOutcome check : step.checks()) {
        String status =
            check.error() != null
                ? "error"
                : check.passed() ? "pass" : check.blocks() ? "fail" : "warn";
        nodes.add(
            new DbtArtifacts.NodeResult(
                artifacts.testUniqueId(step.asset(), check.check()),
                status,
                0,
                check.error() != null ? check.error() : check.note(),
                check.failingRows(),
                null,
                null));
      }
    }
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("which", command);
    return artifacts.write(
        "run_results.json",
        artifacts.runResults(
            result.runId(), finishedAt, result.duration().toMillis() / 1000.0, nodes, arguments));
  }
}
