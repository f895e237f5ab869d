package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

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
}
