package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.connector.ReplayWindow;
import java.util.List;

/**
 * What a run builds and how.
 *
 * @param select the selection (see {@link dev.sluice.core.project.Selector}); empty for all
 * @param exclude what to leave out of the selection
 * @param fullRefresh rebuild incremental and partitioned models from scratch
 * @param partitions which partitions of partitioned models to build
 * @param threads how many steps run at once, or 0 for the project's {@code threads}
 * @param replay for {@code sluice ingest --replay}: the window each selected source table reads
 *     again and merges idempotently, or null for ordinary loads
 * @param environment for {@code sluice run --env}: the environment whose branches the run builds
 *     the changed models and their downstream into (reading everything else from main), or null for
 *     production
 * @param failFast whether the first step that fails stops the run: the steps not started yet are
 *     skipped (dbt's {@code --fail-fast}); the running ones finish
 */
public record RunOptions(
    List<String> select,
    List<String> exclude,
    boolean fullRefresh,
    PartitionSelection partitions,
    int threads,
    ReplayWindow replay,
    String environment,
    boolean failFast) {
  public RunOptions {
    select = List.copyOf(select);
    exclude = List.copyOf(exclude);
    requireNonNull(partitions, "partitions is null");
    if (threads < 0) {
      throw new IllegalArgumentException("threads must not be negative: " + threads);
    }
    if (replay != null && fullRefresh) {
      throw new IllegalArgumentException("A replay cannot also be a full refresh");
    }
    if (environment != null && replay != null) {
      throw new IllegalArgumentException("A replay cannot build an environment");
    }
  }

  public RunOptions(
      List<String> select,
      List<String> exclude,
      boolean fullRefresh,
      PartitionSelection partitions,
      int threads,
      ReplayWindow replay,
      String environment) {
    this(select, exclude, fullRefresh, partitions, threads, replay, environment, false);
  }

  public RunOptions(
      List<String> select,
      List<String> exclude,
      boolean fullRefresh,
      PartitionSelection partitions,
      int threads,
      ReplayWindow replay) {
    this(select, exclude, fullRefresh, partitions, threads, replay, null);
  }

  public RunOptions(
      List<String> select,
      List<String> exclude,
      boolean fullRefresh,
      PartitionSelection partitions,
      int threads) {
    this(select, exclude, fullRefresh, partitions, threads, null);
  }

  public RunOptions(List<String> select, List<String> exclude, boolean fullRefresh) {
    this(select, exclude, fullRefresh, PartitionSelection.DUE, 0);
  }

  public RunOptions(List<String> select, boolean fullRefresh) {
    this(select, List.of(), fullRefresh);
  }

  public static RunOptions all() {
    return new RunOptions(List.of(), List.of(), false);
  }

  /** The same options, replaying {@code window} of each selected source table. */
  public RunOptions withReplay(ReplayWindow window) {
    return new RunOptions(
        select, exclude, fullRefresh, partitions, threads, window, environment, failFast);
  }

  /** The same options, building into environment {@code name}. */
  public RunOptions inEnvironment(String name) {
    return new RunOptions(
        select, exclude, fullRefresh, partitions, threads, replay, name, failFast);
  }

  /**
   * The same options, with {@code threads} steps at once (0: the project's) and stopping at the
   * first failure when {@code failFast}.
   */
  public RunOptions with(int threads, boolean failFast) {
    return new RunOptions(
        select, exclude, fullRefresh, partitions, threads, replay, environment, failFast);
  }
}
