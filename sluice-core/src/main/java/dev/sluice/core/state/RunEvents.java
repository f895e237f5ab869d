package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The timeline of each run in a {@link RunStore}. */
public final class RunEvents extends FencedPart {
  RunEvents(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /** Adds an event to a run's timeline. */
  public void recordEvent(RunEvent event) {
    requireNonNull(event, "event is null");
    transactions.write(
        "record an event of run " + event.runId(),
        connection -> {
          fencing.check(connection, event.runId());
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO sluice_events (run_id, asset, at, kind, message)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, event.runId());
            insert.setString(2, event.asset());
            insert.setLong(3, event.at().toEpochMilli());
            insert.setString(4, event.kind());
            insert.setString(5, event.message());
            insert.executeUpdate();
          }
          return null;
        });
  }

  /** A run's timeline, oldest first. */
  public List<RunEvent> events(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read the events of run " + runId,
        connection -> {
          List<RunEvent> events = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT asset, at, kind, message FROM sluice_events WHERE run_id = ? ORDER BY id")) {
            query.setString(1, runId);
            try (ResultSet result = query.executeQuery()) {
              while (result.next()) {
                events.add(
                    new RunEvent(
                        runId,
                        result.getString(1),
                        Instant.ofEpochMilli(result.getLong(2)),
                        result.getString(3),
                        result.getString(4)));
              }
            }
          }
          return events;
        });
  }
}
