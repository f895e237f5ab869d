package dev.sluice.cli;

import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Draws a run's progress on stderr: one line per finished step, and on a terminal a live status
 * line of what is running.
 */
final class ProgressPrinter implements RunListener {
  private final Output output;
  private final boolean live;
  private final Set<String> running = new LinkedHashSet<>();
  private int total;
  private int finished;
  private int statusWidth;

  /**
   * Whether the process runs in a terminal, where progress is shown live: Sluice targets Java 17,
   * on which {@code System.console()} is null without one.
   */
  // On JDK 22+ System.console() is never null and this would need Console.isTerminal(), which 17
  // lacks; revisit when the target moves past 21.
  @SuppressWarnings("SystemConsoleNull")
  static boolean onTerminal() {
    return System.console() != null;
  }

  ProgressPrinter(Output output, boolean live) {
    this.output = output;
    this.live = live;
  }

  @Override
  public synchronized void runStarted(String runId, int steps) {
    total = steps;
    output.message("Run " + runId + ": " + steps + (steps == 1 ? " step" : " steps"));
  }

  @Override
  public synchronized void stepStarted(String asset, StepKind kind) {
    running.add(asset);
    drawStatus();
  }

  @Override
  public synchronized void stepFinished(StepResult result) {
    running.remove(result.asset());
    finished++;
    clearStatus();
    // long runs (backfills) count their progress on every line
    output.message(describe(result) + (total >= 10 ? "  [" + finished + "/" + total + "]" : ""));
    for (CheckOutcome check : result.checks()) {
      if (!check.passed()) {
        output.message(describeCheck(check));
      }
    }
    if (result.error() != null && result.status() == StepStatus.FAILED) {
      output.message("        " + result.error().replace("\n", "\n        "));
    }
    drawStatus();
  }

  @Override
  public synchronized void stepRetrying(
      String asset, int attempt, java.time.Duration delay, String reason) {
    clearStatus();
    output.message(
        "  retry "
            + asset
            + ": attempt "
            + attempt
            + " in "
            + BaseCommand.formatDuration(delay)
            + " after: "
            + reason.lines().findFirst().orElse(""));
    drawStatus();
  }

  static String describe(StepResult result) {
    String mark =
        switch (result.status()) {
          case SUCCEEDED -> "  ok   ";
          case FAILED -> "  FAIL ";
          case SKIPPED -> "  skip ";
          case RUNNING -> "  ...  ";
        };
    StringBuilder line = new StringBuilder(mark);
    line.append(pad(result.asset(), 28)).append(' ').append(pad(result.table(), 34));
    if (result.status() == StepStatus.SKIPPED) {
      return line.append(' ').append(result.error()).toString();
    }
    line.append(' ').append(pad(BaseCommand.formatCount(result.rowsOut()) + " rows", 16));
    line.append(' ').append(pad(BaseCommand.formatDuration(result.duration()), 8));
    long passed = result.checks().stream().filter(CheckOutcome::passed).count();
    if (!result.checks().isEmpty()) {
      line.append(" checks ").append(passed).append('/').append(result.checks().size());
    }
    if (result.detail() != null) {
      line.append("  ").append(result.detail());
    }
    return line.toString().stripTrailing();
  }

  static String describeCheck(CheckOutcome check) {
    String severity = check.check().severity().label();
    StringBuilder text =
        new StringBuilder("        check ")
            .append(check.check().name())
            .append(" [")
            .append(severity)
            .append("] ");
    if (check.error() != null) {
      return text.append("could not run: ").append(check.error()).toString();
    }
    text.append(check.status().label())
        .append(": ")
        .append(BaseCommand.formatCount(check.failingRows()))
        .append(" failing rows");
    if (check.sample() != null) {
      text.append("\n          sample: ").append(String.join(", ", check.sample().columns()));
      for (List<Object> row : check.sample().rows()) {
        text.append("\n            ").append(row);
      }
    }
    return text.toString();
  }

  private void drawStatus() {
    if (!live || running.isEmpty()) {
      return;
    }
    String status = "[" + finished + "/" + total + "] running: " + String.join(", ", running);
    if (status.length() > 100) {
      status = status.substring(0, 97) + "...";
    }
    output.err().print("\r" + status + " ".repeat(Math.max(0, statusWidth - status.length())));
    output.err().flush();
    statusWidth = status.length();
  }

  private void clearStatus() {
    if (live && statusWidth > 0) {
      output.err().print("\r" + " ".repeat(statusWidth) + "\r");
      output.err().flush();
      statusWidth = 0;
    }
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}
