package dev.sluice.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes dbt's {@code run_results.json} and {@code manifest.json} after a run of a dbt project, as
 * {@code dbt run}, {@code build}, {@code seed}, {@code snapshot} and {@code test} write them: each
 * step is its model's, seed's or snapshot's result, each of its checks a test's, and each unit test
 * the run ran ({@code build}, {@code test}) a unit test's.
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
    Map<String, String> testCode = new LinkedHashMap<>();
    Map<String, Path> testFiles = new LinkedHashMap<>();
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
        String testId = artifacts.testUniqueId(step.asset(), check.check());
        if (check.sql() != null) {
          // the test's SQL where dbt writes it: compiled/ and run/, its compiled_code
          testCode.put(testId, check.sql());
          testFiles.put(testId, writeTestSql(artifacts, step.asset(), check));
        }
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
                check.sql()));
      }
    }
    for (dev.sluice.core.quality.UnitTests.Result unitTest : result.unitTests()) {
      // dbt's unit test results: pass, or fail with the diff as message (failures 1), or error
      nodes.add(
          new DbtArtifacts.NodeResult(
              artifacts.unitTestUniqueId(unitTest.test()),
              switch (unitTest.status()) {
                case PASSED -> "pass";
                case FAILED -> "fail";
                case ERROR -> "error";
              },
              unitTest.duration().toMillis() / 1000.0,
              unitTest.message(),
              unitTest.status() == dev.sluice.core.quality.UnitTests.Status.FAILED ? 1L : 0L,
              null,
              null));
    }
    ObjectNode manifest = artifacts.manifest(result.runId(), finishedAt);
    artifacts.addCompiledCode(manifest, compiledCode);
    artifacts.addTestCompiledCode(manifest, testCode, testFiles);
    artifacts.write("manifest.json", manifest);
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("which", command);
    return artifacts.write(
        "run_results.json",
        artifacts.runResults(
            result.runId(), finishedAt, result.duration().toMillis() / 1000.0, nodes, arguments));
  }

  /** Writes a test's SQL into compiled/ and run/, as dbt does; returns the compiled/ file. */
  private static Path writeTestSql(DbtArtifacts artifacts, String asset, CheckOutcome check) {
    Path compiled = null;
    for (String kind : new String[] {"compiled", "run"}) {
      Path file = artifacts.testSqlFile(kind, asset, check.check());
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, check.sql(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
      }
      if (compiled == null) {
        compiled = file;
      }
    }
    return compiled;
  }
}
