package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Who runs a run and the last sign of life of its process.
 *
 * @param process the process that started it, or null for runs recorded before processes were
 * @param lastSeenAt its last heartbeat, or its start when it sent none
 * @param generation its owner generation: taking the run over increments it (fencing)
 */
public record RunOwner(
    String runId,
    String command,
    RunStatus status,
    RunProcess process,
    Instant startedAt,
    Instant lastSeenAt,
    long generation) {
  public RunOwner {
    requireNonNull(runId, "runId is null");
    requireNonNull(command, "command is null");
    requireNonNull(status, "status is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(lastSeenAt, "lastSeenAt is null");
  }
}
