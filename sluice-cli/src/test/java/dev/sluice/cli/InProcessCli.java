package dev.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the {@code sluice} command in this process on a project, capturing what it prints. */
final class InProcessCli {
  /** What a command printed on stdout and stderr, and its exit code. */
  record Result(int code, String out, String err) {}

  private InProcessCli() {}

  /** {@code sluice -p PROJECT ARGS...}. */
  static Result sluice(Path project, String... args) {
    return sluice(java.time.Clock.systemUTC(), project, args);
  }

  /** {@code sluice -p PROJECT ARGS...}, reading the time from {@code clock}. */
  static Result sluice(java.time.Clock clock, Path project, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withProject = new String[args.length + 2];
    withProject[0] = "-p";
    withProject[1] = project.toString();
    System.arraycopy(args, 0, withProject, 2, args.length);
    int code =
        SluiceCommand.execute(withProject, new PrintWriter(out), new PrintWriter(err), clock);
    return new Result(code, out.toString(), err.toString());
  }
}
