package dev.sluice.lake;

/**
 * Hears of every commit made through the lake's one write path ({@link PendingWrite#commit} and
 * {@link TableWrite#publish}), after it is made, e.g. to audit it. Called on the committing thread;
 * a listener that fails is logged and does not undo or fail the commit.
 */
@FunctionalInterface
public interface CommitListener {
  void committed(TableCommit commit);
}
