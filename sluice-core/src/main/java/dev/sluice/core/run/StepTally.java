package dev.sluice.core.run;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The files a step read and wrote, counted where they are planned and committed, for cost
 * accounting. A step's attempts share one tally: a retried attempt's reads were consumed too.
 */
final class StepTally {
  private final AtomicLong filesRead = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong filesWritten = new AtomicLong();

  /** Data files planned for a read, and their bytes. */
  void read(long files, long bytes) {
    filesRead.addAndGet(files);
    bytesRead.addAndGet(bytes);
  }

  /** Data files committed. */
  void wrote(long files) {
    filesWritten.addAndGet(files);
  }

  long filesRead() {
    return filesRead.get();
  }

  long bytesRead() {
    return bytesRead.get();
  }

  long filesWritten() {
    return filesWritten.get();
  }
}
