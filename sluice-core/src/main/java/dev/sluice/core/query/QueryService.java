package dev.sluice.core.query;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.Relations;
import dev.sluice.lake.ReadPoint;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read path: every query by a person or tool resolves the lake tables it names, reads them at
 * the requested version and runs on the engine. Only read statements are accepted.
 */
public final class QueryService {
  private static final Pattern FIRST_WORD = Pattern.compile("^\\s*\\(*\\s*([A-Za-z]+)");
  private static final Set<String> READ_STATEMENTS =
      Set.of(
          "SELECT",
          "WITH",
          "FROM",
          "VALUES",
          "TABLE",
          "DESCRIBE",
          "SUMMARIZE",
          "EXPLAIN",
          "PIVOT",
          "UNPIVOT");

  private final Workspace workspace;

  public QueryService(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * Runs a read query against the tables as of {@code readPoint}.
   *
   * @throws InvalidInputException for a statement that is not a single read
   * @throws dev.sluice.api.QueryException when the engine rejects the query
   */
  public QueryResult query(String sql, ReadPoint readPoint, int maxRows) {
    String statement = checkReadOnly(sql);
    try (EngineSession session = workspace.engine().openSession()) {
      new Relations(workspace.lake(), session, readPoint)
          .registerTablesOf(statement, FilePruning.filterFor(statement));
      return session.query(statement, maxRows);
    }
  }

  static String checkReadOnly(String sql) {
    String statement = sql.strip();
    while (statement.endsWith(";")) {
      statement = statement.substring(0, statement.length() - 1).strip();
    }
    Matcher first = FIRST_WORD.matcher(statement);
    if (!first.find() || !READ_STATEMENTS.contains(first.group(1).toUpperCase(Locale.ROOT))) {
      throw new InvalidInputException(
          "Only read queries can be run here (SELECT, WITH, ...); got: " + abbreviate(statement));
    }
    if (statement.contains(";")) {
      throw new InvalidInputException(
          "Run one statement at a time; remove the ';' inside the query");
    }
    return statement;
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
