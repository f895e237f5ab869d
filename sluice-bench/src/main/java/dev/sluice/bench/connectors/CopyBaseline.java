package dev.sluice.bench.connectors;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The baseline of the PostgreSQL read: {@code COPY (SELECT * FROM table) TO STDOUT} through the
 * PostgreSQL JDBC driver's {@link CopyManager}, the fastest way a client gets a table's rows out of
 * the server. The bytes are counted and discarded.
 */
final class CopyBaseline {
  private CopyBaseline() {}

  /**
   * Copies every row of {@code table} (a fixed name of the suite's) on a new connection.
   *
   * @return the copied rows and the size of their text form
   */
  static Copied copy(BenchPostgres postgres, String table) {
    try (Connection connection = postgres.connect()) {
      CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
      CountingStream out = new CountingStream();
      long rows = copy.copyOut("COPY (SELECT * FROM " + table + ") TO STDOUT", out);
      return new Copied(rows, out.bytes);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("The COPY baseline of " + table + " failed: " + e, e);
    }
  }

  /**
   * What one COPY moved.
   *
   * @param rows the rows copied
   * @param bytes their size in COPY's text format
   */
  record Copied(long rows, long bytes) {}

  /** Discards what is written, counting it. */
  private static final class CountingStream extends OutputStream {
    private long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
      bytes += length;
    }
  }
}
