package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** The timeline of each run in a {@link RunStore}. */
public final class RunEvents extends FencedPart {
  RunEvents(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /** Adds an event to a run's timeline. */
  public void recordEvent(RunEvent event) {
    requireNonNull(event, "event is null");
    writeForRun(
        "record an event of run " + event.runId(),
        event.runId(),
        connection ->
            update(
                connection,
                "INSERT INTO sluice_events (run_id, asset, at, kind, message) VALUES (?, ?, ?, ?, ?)",
                event.runId(),
                event.asset(),
                event.at(),
                event.kind(),
                event.message()));
  }

  /** A run's timeline, oldest first. */
  public List<RunEvent> events(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read the events of run " + runId,
        connection ->
            list(
                connection,
                "SELECT asset, at, kind, message FROM sluice_events WHERE run_id = ? ORDER BY id",
                row ->
                    new RunEvent(
                        runId,
                        row.getString(1),
                        Instant.ofEpochMilli(row.getLong(2)),
                        row.getString(3),
                        row.getString(4)),
                runId));
  }
}
