package dev.sluice.core.run;

import java.time.Instant;

/**
 * Hears about every run of a workspace, whoever starts it (the command line, a schedule, a resume):
 * for example to send OpenLineage events. Installed through {@link RunObserverProvider}. An
 * observer's failure never fails a run: it is logged and the run goes on.
 */
public interface RunObserver extends AutoCloseable {
  /**
   * A run started; the listener returned hears its steps and its end.
   *
   * @param command what started it, e.g. {@code run} or {@code schedule hourly}
   */
  RunListener runStarted(String runId, String command, Instant startedAt);

  /**
   * The scheduler evaluated its schedules and sensors at {@code now} (every few seconds under
   * {@code sluice serve}, in the process that holds the scheduler's lease): time to look at what
   * does not come with a run, such as how fresh the tables are.
   */
  default void tick(Instant now) {}

  /**
   * Something about spending happened: a budget reached its warning share or its amount, a run was
   * refused by a hard budget, a step's cost jumped far above its history.
   */
  default void budget(dev.sluice.core.cost.BudgetEvent event) {}

  /** Sends what is pending and lets go of what the observer holds. */
  @Override
  default void close() {}
}
