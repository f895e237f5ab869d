package dev.sluice.cli;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.ci.CiReport;
import dev.sluice.core.ci.ContinuousIntegration;
import dev.sluice.core.ci.ContinuousIntegration.Result;
import dev.sluice.core.ci.ContinuousIntegration.Step;
import dev.sluice.core.ci.ContinuousIntegration.TableDiff;
import dev.sluice.core.env.DataDiff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "ci",
    description =
        "Check a change as a pull request's pipeline does (docs/ci.md): validate, compile every"
            + " model against its inputs' columns, classify each change against production, build"
            + " what changed and its downstream into an ephemeral environment, diff its tables"
            + " with production, drop it, and write a Markdown report.",
    footer = {
      "",
      "Exit codes: 0 passed, 1 a check failed (the project does not load or compile, a build or",
      "a blocking check failed), 8 breaking changes (without --allow-breaking), 2 bad usage",
      "(e.g. --base is not a commit), 70 internal error."
    })
final class CiCommand extends BaseCommand {
  @Option(
      names = "--base",
      paramLabel = "REF",
      description =
          "The git ref the change is compared with for the files it changed, e.g. origin/main"
              + " (production's tables are what the models are compared with).")
  String base;

  @Option(
      names = "--allow-breaking",
      description = "Pass with breaking changes (they are still reported).")
  boolean allowBreaking;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Write the Markdown report to FILE, e.g. for a pull request comment.")
  Path report;

  @Option(
      names = "--keep-env",
      description = "Keep the ephemeral environment (ci-<commit>) instead of dropping it.")
  boolean keepEnvironment;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description = "Build into environment NAME instead of ci-<short commit>.")
  String environment;

  @Override
  public Integer call() {
    Result result;
    String markdown;
    try (Workspace workspace = openWorkspace()) {
      ProgressPrinter progress = new ProgressPrinter(output(), ProgressPrinter.onTerminal());
      result =
          new ContinuousIntegration(workspace)
              .run(
                  new ContinuousIntegration.Options(
                      base, allowBreaking, keepEnvironment, environment),
                  progress);
      markdown = CiReport.markdown(result, workspace.project());
    } catch (ProjectException e) {
      // a change that breaks the project's files fails the checks, with a report that says where
      return notLoaded(e);
    }
    writeReport(markdown);
    int code = exitCode(result);
    if (json()) {
      output().json(toJson(result, code));
    } else {
      for (Step step : result.steps()) {
        output().message(step.name() + ": " + step.outcome().label() + " (" + step.detail() + ")");
      }
      result.problems().forEach(problem -> output().message("  " + problem));
      result.failures().forEach(failure -> output().message("  " + failure));
      if (!result.changes().isEmpty()) {
        output()
            .table(
                List.of("model", "category", "change", "affected downstream"),
                result.changes().stream()
                    .map(
                        change ->
                            List.of(
                                change.model(),
                                change.category().label(),
                                change.summary(),
                                change.downstreamSummary()))
                    .toList());
      }
      output()
          .message(
              "CI "
                  + result.status().label()
                  + (result.status() == ContinuousIntegration.Status.BREAKING
                      ? ": breaking changes in "
                          + String.join(
                              ", ",
                              result.breaking().stream().map(change -> change.model()).toList())
                          + " (pass them with --allow-breaking)"
                      : "")
                  + (report == null ? "" : "; report in " + report));
    }
    return code;
  }

  private int notLoaded(ProjectException e) {
    StringBuilder markdown = new StringBuilder("## Sluice CI: failed\n\n");
    markdown.append("The project does not load:\n\n");
    e.problems().forEach(problem -> markdown.append("- ").append(problem).append('\n'));
    writeReport(markdown.toString());
    if (json()) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("status", ContinuousIntegration.Status.FAILED.label());
      document.put("exitCode", ExitCodes.RUN_FAILED);
      document.put("problems", e.problems().stream().map(Object::toString).toList());
      output().json(document);
    }
    output().message("CI failed: the project does not load");
    e.problems().forEach(problem -> output().message("  " + problem));
    return ExitCodes.RUN_FAILED;
  }

  static int exitCode(Result result) {
    return switch (result.status()) {
      case PASSED -> ExitCodes.OK;
      case FAILED -> ExitCodes.RUN_FAILED;
      case BREAKING -> ExitCodes.BREAKING_CHANGES;
    };
  }

  private void writeReport(String markdown) {
    if (report == null) {
      return;
    }
    try {
      Path file = report.toAbsolutePath();
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, markdown, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report " + report, e);
    }
  }

  private Map<String, Object> toJson(Result result, int code) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("status", result.status().label());
    document.put("exitCode", code);
    document.put("project", result.project());
    document.put("target", result.target());
    document.put("commit", result.commit());
    document.put("base", result.git() == null ? null : result.git().base());
    document.put("mergeBase", result.git() == null ? null : result.git().mergeBase());
    document.put("changedFiles", result.git() == null ? null : result.git().files());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (Step step : result.steps()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", step.name());
      entry.put("outcome", step.outcome().label());
      entry.put("detail", step.detail());
      steps.add(entry);
    }
    document.put("steps", steps);
    document.put("problems", result.problems());
    document.put("warnings", result.warnings());
    document.put("changes", result.changes().stream().map(PlanCommand::changeJson).toList());
    document.put("environment", result.environment());
    document.put("environmentKept", result.environmentKept());
    document.put("runId", result.runId());
    document.put("failures", result.failures());
    List<Map<String, Object>> diffs = new ArrayList<>();
    for (TableDiff table : result.diffs()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("model", table.model());
      entry.put("reason", table.reason());
      entry.put("keys", table.keys());
      DataDiff.Result diff = table.diff();
      if (diff == null) {
        entry.put("error", table.error());
      } else {
        entry.put("table", diff.table().toString());
        DiffCommand.putCounts(entry, diff);
      }
      diffs.add(entry);
    }
    document.put("diffs", diffs);
    document.put("report", report == null ? null : report.toString());
    return document;
  }
}
