package dev.sluice.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.project.PartitionsDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.StepKey;
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
  /** How run_results.json gives a batch's bounds, as Python's isoformat. */
  private static final java.time.format.DateTimeFormatter WINDOW_BOUND =
      java.time.format.DateTimeFormatter.ofPattern(
          "yyyy-MM-dd'T'HH:mm:ssxxx", java.util.Locale.ROOT);

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
    // the steps of a partitioned model (a microbatch model's batches) are one node, as in dbt
    Map<String, List<StepResult>> byAsset = new LinkedHashMap<>();
    for (StepResult step : result.steps()) {
      if (step.kind() != StepKind.SOURCE) { // dbt does not load sources
        byAsset
            .computeIfAbsent(StepKey.parse(step.asset()).asset(), ignored -> new ArrayList<>())
            .add(step);
      }
    }
    byAsset.forEach(
        (asset, steps) -> {
          StepResult first = steps.get(0);
          String relation = artifacts.relationName(TableName.parse(first.table()));
          ModelDef model = project.models().get(asset);
          boolean ephemeral = model != null && !model.materialization().built();
          if (!command.equals("test") && !ephemeral) { // dbt test reports only its tests
            nodes.add(node(project, artifacts, asset, steps, relation, compiledCode, finishedAt));
          }
          Map<String, DbtArtifacts.NodeResult> tests = new LinkedHashMap<>();
          for (StepResult step : steps) {
            for (CheckOutcome check : step.checks()) {
              String testId = artifacts.testUniqueId(asset, check.check());
              if (check.sql() != null) {
                // the test's SQL where dbt writes it: compiled/ and run/, its compiled_code
                testCode.put(testId, check.sql());
                testFiles.put(testId, writeTestSql(artifacts, asset, check));
              }
              DbtArtifacts.NodeResult test = test(artifacts, asset, check);
              // a test of several batches: its worst outcome, with all of their failures
              tests.merge(test.uniqueId(), test, DbtRunResults::worse);
            }
          }
          nodes.addAll(tests.values());
        });
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

  /** A model's, seed's or snapshot's node: of its one step, or of the steps of its batches. */
  private static DbtArtifacts.NodeResult node(
      Project project,
      DbtArtifacts artifacts,
      String asset,
      List<StepResult> steps,
      String relation,
      Map<String, String> compiledCode,
      Instant finishedAt) {
    long succeeded = steps.stream().filter(step -> step.status() == StepStatus.SUCCEEDED).count();
    long skipped = steps.stream().filter(step -> step.status() == StepStatus.SKIPPED).count();
    long failed = steps.size() - succeeded - skipped;
    String status =
        failed == 0 && succeeded == 0
            ? "skipped"
            : failed == 0 ? "success" : succeeded > 0 ? "partial success" : "error";
    String message =
        steps.size() == 1
            ? (status.equals("success") ? steps.get(0).detail() : steps.get(0).error())
            : batchMessage(steps, succeeded, failed);
    double seconds = steps.stream().mapToLong(step -> step.duration().toMillis()).sum() / 1000.0;
    ModelDef model = project.models().get(asset);
    DbtArtifacts.BatchResults batches = null;
    if (model != null && model.partitioned() && project.dbt().microbatch().isMicrobatch(asset)) {
      List<List<String>> successful = new ArrayList<>();
      List<List<String>> failedWindows = new ArrayList<>();
      for (StepResult step : steps) {
        if (step.status() != StepStatus.SKIPPED) {
          List<List<String>> windows =
              windows(model.partitions(), StepKey.parse(step.asset()).partition(), finishedAt);
          (step.status() == StepStatus.SUCCEEDED ? successful : failedWindows).addAll(windows);
        }
      }
      batches = new DbtArtifacts.BatchResults(successful, failedWindows);
    }
    return new DbtArtifacts.NodeResult(
        artifacts.uniqueId(asset),
        status,
        seconds,
        message,
        null,
        relation,
        status.equals("skipped") ? null : compiledCode.get(asset),
        batches);
  }

  private static String batchMessage(List<StepResult> steps, long succeeded, long failed) {
    StringBuilder message =
        new StringBuilder(
            "Batches: " + succeeded + " successful, " + failed + " failed of " + steps.size());
    steps.stream()
        .filter(step -> step.status() == StepStatus.FAILED && step.error() != null)
        .findFirst()
        .ifPresent(
            step -> message.append("; ").append(step.asset()).append(": ").append(step.error()));
    return message.toString();
  }

  /** The batches a step built, each {@code [start, end]}: its partitions' windows. */
  private static List<List<String>> windows(
      PartitionsDef partitions, String label, Instant finishedAt) {
    List<PartitionKey> keys =
        label == null || label.equals("*")
            ? partitions.complete(finishedAt)
            : PartitionRange.parseLabel(partitions, label).keys();
    List<List<String>> windows = new ArrayList<>();
    for (PartitionKey key : keys) {
      PartitionRange range = PartitionRange.of(partitions, key);
      windows.add(
          List.of(
              range.start().orElseThrow().format(WINDOW_BOUND),
              range.end().orElseThrow().format(WINDOW_BOUND)));
    }
    return windows;
  }

  private static DbtArtifacts.NodeResult test(
      DbtArtifacts artifacts, String asset, CheckOutcome check) {
    String status =
        check.error() != null
            ? "error"
            : check.passed() ? "pass" : check.blocks() ? "fail" : "warn";
    return new DbtArtifacts.NodeResult(
        artifacts.testUniqueId(asset, check.check()),
        status,
        0,
        check.error() != null ? check.error() : check.note(),
        check.failingRows(),
        null,
        check.sql(),
        null);
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

  private static final List<String> TEST_SEVERITY = List.of("pass", "warn", "fail", "error");

  private static DbtArtifacts.NodeResult worse(
      DbtArtifacts.NodeResult one, DbtArtifacts.NodeResult other) {
    DbtArtifacts.NodeResult worst =
        TEST_SEVERITY.indexOf(other.status()) > TEST_SEVERITY.indexOf(one.status()) ? other : one;
    Long failures =
        one.failures() == null && other.failures() == null
            ? null
            : (one.failures() == null ? 0 : one.failures())
                + (other.failures() == null ? 0 : other.failures());
    return new DbtArtifacts.NodeResult(
        worst.uniqueId(),
        worst.status(),
        worst.executionSeconds(),
        worst.message(),
        failures,
        null,
        null,
        null);
  }
}
