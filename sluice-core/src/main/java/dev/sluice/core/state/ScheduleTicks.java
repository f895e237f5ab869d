package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

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
        connection ->
            first(
                connection,
                "SELECT last_tick FROM sluice_schedule_ticks WHERE schedule = ?",
                row -> Instant.ofEpochMilli(row.getLong(1)),
                schedule));
  }

  /**
   * Records that the scheduler dealt with a schedule's ticks up to {@code tick}. Schedulers in
   * other processes may record the same schedule at once: the database's primary key decides, as
   * for {@link Locks#tryLock}.
   */
  public void recordScheduleTick(String schedule, Instant tick) {
    requireNonNull(schedule, "schedule is null");
    requireNonNull(tick, "tick is null");
    // ON CONFLICT rather than an update, then an insert: two schedulers racing for a new
    // schedule would make the second insert fail (and abort a PostgreSQL transaction).
    transactions.read(
        "record schedule " + schedule,
        connection ->
            update(
                connection,
                "INSERT INTO sluice_schedule_ticks (schedule, last_tick) VALUES (?, ?)"
                    + " ON CONFLICT (schedule) DO UPDATE SET last_tick = excluded.last_tick",
                schedule,
                tick));
  }
}
