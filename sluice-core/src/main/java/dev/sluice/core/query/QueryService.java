package dev.sluice.core.query;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Suggestions;
import dev.sluice.core.run.Relations;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The read path: every query by a person or tool resolves the lake tables it names, reads them at
 * the requested version and runs on the engine. Only one SELECT that reads the project's tables is
 * accepted, as DuckDB's own parser reads it ({@link SqlSandbox}): no files, URLs, settings or other
 * statements.
 */
public final class QueryService {
  private final Workspace workspace;

  public QueryService(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * Runs a read query against the tables as of {@code readPoint}.
   *
   * @throws InvalidInputException for a statement that is not a single SELECT of the project's
   *     tables
   * @throws QueryException for a table that does not exist, or when the engine rejects the query
   */
  public QueryResult query(String sql, ReadPoint readPoint, int maxRows) {
    requireNonNull(sql, "sql is null");
    String statement = sql.strip();
    try (EngineSession session = workspace.engine().openSession()) {
      Set<TableName> tables = SqlSandbox.checkQuery(session, statement);
      Lake lake = workspace.lake();
      for (TableName table : tables) {
        if (lake.findTable(table).isEmpty() && lake.findView(table).isEmpty()) {
          throw missingTable(table, lake.listTables());
        }
      }
      new Relations(lake, session, readPoint)
          .registerTables(tables, FilePruning.filterFor(statement));
      return session.query(statement, maxRows);
    }
  }

  /** "Table raw.ordrs does not exist; did you mean raw.orders?", naming Sluice's own tables. */
  static QueryException missingTable(TableName table, List<TableName> existing) {
    Optional<String> closest =
        Suggestions.closest(table.toString(), existing.stream().map(TableName::toString).toList());
    String hint;
    if (closest.isPresent()) {
      hint = "did you mean " + closest.get() + "?";
    } else if (existing.isEmpty()) {
      hint = "the warehouse has no tables yet: run 'sluice run' to build them";
    } else {
      hint = "'sluice tables' lists the tables";
    }
    return new QueryException("Table " + table + " does not exist; " + hint, null);
  }
}
