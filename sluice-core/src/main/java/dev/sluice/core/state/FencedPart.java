package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A part of a {@link RunStore} that records what a run does: it works in the store's shared
 * transactions and checks with {@link Fencing} that the run still belongs to this process before it
 * writes for it.
 */
abstract class FencedPart {
  final StateTransactions transactions;
  final Fencing fencing;

  FencedPart(StateTransactions transactions, Fencing fencing) {
    this.transactions = requireNonNull(transactions, "transactions is null");
    this.fencing = requireNonNull(fencing, "fencing is null");
  }

  /** A check made before a write, in its transaction. */
  @FunctionalInterface
  private interface Check {
    void run(Connection connection) throws SQLException;
  }

  /**
   * Writes for a run in one transaction, once {@link Fencing#check} found that no other process
   * took the run over.
   */
  <T> T writeForRun(String action, String runId, StateTransactions.SqlWork<T> work) {
    return writeChecked(action, connection -> fencing.check(connection, runId), work);
  }

  /** {@link #writeForRun} for the run of a step. */
  <T> T writeForStep(String action, long stepId, StateTransactions.SqlWork<T> work) {
    return writeChecked(action, connection -> fencing.checkStep(connection, stepId), work);
  }

  private <T> T writeChecked(String action, Check check, StateTransactions.SqlWork<T> work) {
    return transactions.write(
        action,
        connection -> {
          check.run(connection);
          return work.run(connection);
        });
  }
}
