package dev.sluice.lineage;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;

/**
 * JSqlParser's parse on threads kept for it. {@code CCJSqlParserUtil.parse(String)} runs each parse
 * on a thread of a new single-thread executor (for its time-out) and shuts it down: a thread
 * started per model, 10,000 of them for {@code sluice plan} of a 10,000-model project, each a hand
 * over that waits for a core on a loaded machine (JFR; docs/benchmarks.md). The parse and its
 * time-out are JSqlParser's, unchanged; only the threads are reused. Every parse with JSqlParser in
 * Sluice goes through here.
 */
public final class SqlParsing {
  /** Idle threads end after a minute; daemons, so they never keep the process alive. */
  private static final ExecutorService PARSERS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "sluice-sql-parser");
            thread.setDaemon(true);
            return thread;
          });

  private SqlParsing() {}

  /** As {@link CCJSqlParserUtil#parse(String)}. */
  public static Statement parse(String sql) throws JSQLParserException {
    return CCJSqlParserUtil.parse(sql, PARSERS, null);
  }

  /**
   * As {@link CCJSqlParserUtil#parseStatements(String, ExecutorService,
   * java.util.function.Consumer)}: statements JSqlParser does not know are kept as unsupported
   * ones, and a parse longer than {@code timeoutMillis} fails.
   *
   * @throws JSQLParserException when the text is not SQL JSqlParser reads, or the parse times out
   */
  public static Statements parseStatements(String sql, long timeoutMillis)
      throws JSQLParserException {
    return CCJSqlParserUtil.parseStatements(
        sql, PARSERS, parser -> parser.withUnsupportedStatements(true).withTimeOut(timeoutMillis));
  }
}
