package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** The last tick of each schedule that the scheduler dealt with, in a {@link RunStore}. */
public final class ScheduleTicks {
  private final StateTransactions transactions;

  ScheduleTicks(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** The last tick of a schedule that the scheduler dealt with, if any. */
  public Optional<Instant> lastScheduleTick(String schedule) {
    return transactions.read(
        "read schedule " + schedule,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT last_tick FROM sluice_schedule_ticks WHERE schedule = ?")) {
            query.setString(1, schedule);
            try (ResultSet result = query.executeQuery()) {
              return result.next()
                  ? Optional.of(Instant.ofEpochMilli(result.getLong(1)))
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  /**
   * Records that the scheduler dealt with a schedule's ticks up to {@code tick}. Schedulers in
   * other processes may record the same schedule at once: the database's primary key decides, as
   * for {@link Locks#tryLock}.
   */
  public void recordScheduleTick(String schedule, Instant tick) {
    requireNonNull(schedule, "schedule is null");
    requireNonNull(tick, "tick is null");
    transactions.read(
        "record schedule " + schedule,
        connection -> {
          // ON CONFLICT rather than an update, then an insert: two schedulers racing for a new
          // schedule would make the second insert fail (and abort a PostgreSQL transaction).
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO sluice_schedule_ticks (schedule, last_tick) VALUES (?, ?)"
                      + " ON CONFLICT (schedule) DO UPDATE SET last_tick = excluded.last_tick")) {
            upsert.setString(1, schedule);
            upsert.setLong(2, tick.toEpochMilli());
            upsert.executeUpdate();
          }
          return null;
        });
  }
}
