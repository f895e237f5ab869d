package dev.sluice.lake;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.util.ThreadPools;

/**
 * Where Iceberg does the manifest work of a commit or a scan's planning: on the calling thread for
 * a snapshot of few manifests, in Iceberg's worker pool for many.
 *
 * <p>Iceberg waits for work handed to its pool by polling every 10 ms ({@code Tasks.waitFor},
 * {@code ParallelIterable.hasNext}). For a table of one or two manifests that put 20 to 40 ms of
 * waiting into every commit of a step (filtering the manifests, describing the new ones) and 10 ms
 * into planning the scan of each input, for work of well under a millisecond. On the calling thread
 * the work is done when Iceberg first looks. Many manifests are still read in parallel.
 */
final class ManifestWork {
  /** Up to this many manifests, the work runs on the calling thread. */
  static final int MOST_MANIFESTS_ON_CALLER = 16;

  private static final ExecutorService SAME_THREAD = new SameThread();

  private ManifestWork() {}

  /** The executor for the manifest work on {@code snapshot} (null: a table without data). */
  static ExecutorService executorFor(Snapshot snapshot, FileIO io) {
    if (snapshot == null || snapshot.allManifests(io).size() <= MOST_MANIFESTS_ON_CALLER) {
      return SAME_THREAD;
    }
    return ThreadPools.getWorkerPool();
  }

  /**
   * Has Iceberg write a commit's new manifests ({@code SnapshotUpdate.writeManifestsWith}) on the
   * calling thread, as one writer per 10,000 files like its default (so the same manifests), when
   * they are few: Iceberg 1.10 wrote even one manifest of one file on its worker pool and polled
   * for it every 10 ms, which put a 10 ms sleep into every commit (most of a table step's fixed
   * cost; docs/benchmarks.md, issue 20). Many files are still written in parallel.
   */
  static void writeManifestsFor(SnapshotUpdate<?> update, int files) {
    if (files <= MOST_FILES_WRITTEN_ON_CALLER) {
      update.writeManifestsWith(SAME_THREAD, ThreadPools.WORKER_THREAD_POOL_SIZE);
    }
  }

  /** Up to this many new files, a commit writes their manifests on the calling thread. */
  static final int MOST_FILES_WRITTEN_ON_CALLER = 20_000;

  /** Runs each task on the thread that submits it; never shut down. */
  private static final class SameThread extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      throw new UnsupportedOperationException("The calling thread's executor is never shut down");
    }

    @Override
    public List<Runnable> shutdownNow() {
      throw new UnsupportedOperationException("The calling thread's executor is never shut down");
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }
  }
}
