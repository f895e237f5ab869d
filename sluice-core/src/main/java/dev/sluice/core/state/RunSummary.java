package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One run at a glance.
 *
 * @param id the run's id, such as "20261121-193300-a1b2"
 * @param command the command that started the run, such as "run"
 * @param status where the run is
 * @param startedAt when it started
 * @param finishedAt when it finished, or null while it runs
 * @param steps how many steps it has started
 * @param failedSteps how many of them failed
 * @param error why the run failed, or null
 */
public record RunSummary(
    String id,
    String command,
    RunStatus status,
    Instant startedAt,
    Instant finishedAt,
    int steps,
    int failedSteps,
    String error) {

  public RunSummary {
    requireNonNull(id, "id is null");
    requireNonNull(command, "command is null");
    requireNonNull(status, "status is null");
    requireNonNull(startedAt, "startedAt is null");
  }
}
