package dev.sluice.bench;

import dev.sluice.bench.tpch.TpchData;
import dev.sluice.bench.tpch.TpchProject;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TPC-H data and Sluice project that the ingest and transform suites share, generated on first
 * use under the work directory ({@code tpch-sf<scale>/}).
 */
public final class TpchWorkspace {
  private static final Logger LOG = LoggerFactory.getLogger(TpchWorkspace.class);

  private final BenchSettings settings;
  private TpchData data;
  private boolean ingested;

  public TpchWorkspace(BenchSettings settings) {
    this.settings = settings;
  }

  public Path root() {
    String scale = String.format(Locale.ROOT, "%s", settings.scale()).replace('.', '_');
    return settings.workDirectory().resolve("tpch-sf" + scale);
  }

  /** The CSV files, generated on first use. */
  public synchronized TpchData data() {
    if (data == null) {
      long started = System.nanoTime();
      LOG.info("Generating TPC-H data at scale {} (first use only) ...", settings.scale());
      data =
          TpchData.generate(
              root().resolve("data"), settings.scale(), Runtime.getRuntime().availableProcessors());
      LOG.info(
          "TPC-H data ready: {} rows, {} MB, in {} s",
          data.totalRows(),
          data.totalBytes() >> 20,
          (System.nanoTime() - started) / 1_000_000_000);
      TpchProject.write(project(), data);
    }
    return data;
  }

  /** The Sluice project directory. */
  public Path project() {
    return root().resolve("project");
  }

  /** Whether the raw tables were loaded in this invocation. */
  public synchronized boolean ingested() {
    return ingested;
  }

  public synchronized void markIngested() {
    ingested = true;
  }
}
