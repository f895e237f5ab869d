package dev.sluice.cli;

import dev.sluice.api.ProjectException;
import dev.sluice.api.SluiceException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Prints a failure for people (stderr) or scripts (JSON on stdout) and picks the exit code. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  private final Output output;

  ErrorHandler(Output output) {
    this.output = output;
  }

  @Override
  public int handleExecutionException(
      Exception failure, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    boolean json = parseResult.hasMatchedOption("--json") || hasJson(parseResult);
    int code = ExitCodes.forException(failure);
    if (json) {
      // one document: a failed run's report, with the error added
      Map<String, Object> error =
          failure instanceof RunFailure run && run.report() != null
              ? new LinkedHashMap<>(run.report())
              : new LinkedHashMap<>();
      error.put(
          "error", failure instanceof SluiceException ? failure.getMessage() : failure.toString());
      error.put("exitCode", code);
      if (failure instanceof ProjectException project) {
        error.put(
            "problems",
            project.problems().stream()
                .map(
                    p ->
                        Map.of(
                            "file",
                            p.location().file(),
                            "line",
                            p.location().line(),
                            "message",
                            p.message(),
                            "hint",
                            p.hint()))
                .toList());
      }
      output.json(error);
    }
    if (failure instanceof SluiceException) {
      output.message("error: " + failure.getMessage());
    } else {
      output.message("internal error: " + failure);
      StackTraceElement[] trace = failure.getStackTrace();
      for (int i = 0; i < Math.min(8, trace.length); i++) {
        output.message("    at " + trace[i]);
      }
      output.message("This is a bug in Sluice; please report it with the command you ran.");
    }
    return code;
  }

  private static boolean hasJson(CommandLine.ParseResult parseResult) {
    List<CommandLine.ParseResult> chain = new java.util.ArrayList<>();
    CommandLine.ParseResult current = parseResult;
    while (current != null) {
      chain.add(current);
      current = current.subcommand();
    }
    return chain.stream().anyMatch(result -> result.hasMatchedOption("--json"));
  }
}
