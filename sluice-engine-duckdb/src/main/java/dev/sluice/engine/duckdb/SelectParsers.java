package dev.sluice.engine.duckdb;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.ParsedSelect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.duckdb.DuckDBConnection;

/**
 * The SQL check's statements ({@link SelectSandbox#prepare}), shared by every session of an engine:
 * each prepared once on a connection of its own and lent to one check at a time, as many as checks
 * run at once.
 *
 * <p>The check only parses ({@code json_serialize_sql} binds no table), so it needs nothing of a
 * session's catalog; preparing its statement in every session was three quarters of the check's
 * time and 5 % of a no-op table step's sampled time, since every step has a new session
 * (docs/benchmarks.md).
 */
final class SelectParsers implements AutoCloseable {
  private final DuckDBConnection root;
  private final BlockingQueue<Parser> idle = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  SelectParsers(DuckDBConnection root) {
    this.root = requireNonNull(root, "root is null");
  }

  /**
   * Parses and checks {@code sql}, as {@link SelectSandbox#check} says.
   *
   * @throws SQLException when DuckDB cannot be asked (the statement that failed is closed)
   */
  ParsedSelect check(String sql) throws SQLException {
    Parser parser = idle.poll();
    if (parser == null) {
      parser = Parser.open(root);
    }
    boolean usable = false;
    try {
      ParsedSelect parsed;
      try {
        parsed = SelectSandbox.check(parser.statement(), sql);
      } catch (RuntimeException e) {
        // a rejected SQL text: the statement answered and serves the next check
        usable = true;
        throw e;
      }
      usable = true;
      return parsed;
    } finally {
      if (usable && !closed) {
        idle.add(parser);
        if (closed && idle.remove(parser)) {
          parser.close(); // the engine closed meanwhile
        }
      } else {
        parser.close();
      }
    }
  }

  /** Closes the statements not in use; one in use is closed when its check ends. */
  @Override
  public void close() {
    closed = true;
    for (Parser parser = idle.poll(); parser != null; parser = idle.poll()) {
      parser.close();
    }
  }

  /** A connection and the check's statement prepared on it. */
  private record Parser(Connection connection, PreparedStatement statement) {
    static Parser open(DuckDBConnection root) throws SQLException {
      Connection connection = root.duplicate();
      try {
        return new Parser(connection, SelectSandbox.prepare(connection));
      } catch (SQLException e) {
        try {
          connection.close();
        } catch (SQLException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }

    void close() {
      try {
        statement.close();
      } catch (SQLException e) {
        // the connection's close below releases it
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing more to release
      }
    }
  }
}
