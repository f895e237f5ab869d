package dev.sluice.core.run;

import dev.sluice.core.state.RunEvent;
import dev.sluice.core.state.RunStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a run's timeline of events to the run store. */
final class RunTimeline {
  private static final Logger LOG = LoggerFactory.getLogger(RunTimeline.class);

  private RunTimeline() {}

  /** Adds to the run's timeline; a failure to record never fails the run. */
  static void record(
      RunStore store, Clock clock, String runId, String asset, String kind, String message) {
    try {
      store.events().recordEvent(new RunEvent(runId, asset, clock.instant(), kind, message));
    } catch (RuntimeException e) {
      LOG.warn("Cannot record the event {} of run {}: {}", kind, runId, e.getMessage());
    }
  }

  /** The events that close a step: its checks and its outcome. */
  static void recordStep(RunStore store, Clock clock, String runId, StepResult result) {
    if (!result.checks().isEmpty()) {
      long passed = result.checks().stream().filter(CheckOutcome::passed).count();
      record(
          store,
          clock,
          runId,
          result.asset(),
          "checked",
          passed + "/" + result.checks().size() + " checks passed");
      for (CheckOutcome check : result.checks()) {
        if (!check.passed()) {
          record(
              store,
              clock,
              runId,
              result.asset(),
              "check " + check.status().name().toLowerCase(java.util.Locale.ROOT),
              check.check().name()
                  + (check.check().column() == null ? "" : " on " + check.check().column())
                  + " ("
                  + check.check().severity().name().toLowerCase(java.util.Locale.ROOT)
                  + "): "
                  + (check.error() != null
                      ? check.error()
                      : check.failingRows()
                          + " failing row"
                          + (check.failingRows() == 1 ? "" : "s")));
        }
      }
    }
    switch (result.status()) {
      case SUCCEEDED ->
          record(
              store,
              clock,
              runId,
              result.asset(),
              result.snapshotId() == null ? "succeeded" : "published",
              (result.snapshotId() == null ? "" : "snapshot " + result.snapshotId() + ", ")
                  + result.rowsOut()
                  + " rows"
                  + (result.detail() == null ? "" : ", " + result.detail()));
      case FAILED -> record(store, clock, runId, result.asset(), "failed", result.error());
      case SKIPPED -> record(store, clock, runId, result.asset(), "skipped", result.error());
      case RUNNING -> {}
    }
  }
}
