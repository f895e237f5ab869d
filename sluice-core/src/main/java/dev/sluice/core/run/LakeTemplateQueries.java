package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.TemplateQueries;
import dev.sluice.core.query.SqlSandbox;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;

/**
 * The queries of a dbt project's introspective Jinja ({@code run_query}, {@code statement}, {@code
 * adapter.get_columns_in_relation}) on an engine session: each is checked by the sandbox as a
 * check's query is ({@link SqlSandbox#checkQuery}: one SELECT of the project's tables), the tables
 * it names are registered at the run's read point, and it runs there.
 */
public final class LakeTemplateQueries implements TemplateQueries {
  /** The most rows a template reads: it builds SQL from them, not reports. */
  static final int MAX_ROWS = 100_000;

  private final Project project;
  private final Lake lake;
  private final Relations relations;
  private final EngineSession session;
  private final ReadPoint readPoint;
  private final java.util.Set<TableName> inSession;

  /** Queries on {@code session}, reading the lake at {@code readPoint}. */
  public LakeTemplateQueries(
      Project project, Lake lake, EngineSession session, ReadPoint readPoint) {
    this(project, lake, new Relations(lake, session, readPoint), session, readPoint);
  }

  LakeTemplateQueries(
      Project project, Lake lake, Relations relations, EngineSession session, ReadPoint readPoint) {
    this(project, lake, relations, session, readPoint, java.util.Set.of());
  }

  private LakeTemplateQueries(
      Project project,
      Lake lake,
      Relations relations,
      EngineSession session,
      ReadPoint readPoint,
      java.util.Set<TableName> inSession) {
    this.project = requireNonNull(project, "project is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.relations = requireNonNull(relations, "relations is null");
    this.session = requireNonNull(session, "session is null");
    this.readPoint = requireNonNull(readPoint, "readPoint is null");
    this.inSession = java.util.Set.copyOf(inSession);
  }

  /**
   * These queries, reading {@code table} as the session has it registered: the new rows of a write
   * being audited, which a data test's introspection ({@code
   * adapter.get_columns_in_relation(model)}, {@code run_query} of the model) reads as dbt's tests
   * read the built table, not the published version (which a first run does not have yet).
   */
  LakeTemplateQueries readingFromSession(TableName table) {
    return new LakeTemplateQueries(
        project, lake, relations, session, readPoint, java.util.Set.of(table));
  }

  @Override
  public QueryResult query(String sql) {
    for (TableName table : SqlSandbox.checkQuery(session, sql, project.schemas())) {
      if (!inSession.contains(table)) {
        relations.register(table);
      }
    }
    QueryResult result = session.query(sql, MAX_ROWS);
    if (result.truncated()) {
      throw new dev.sluice.api.InvalidInputException(
          "The query returned more than " + MAX_ROWS + " rows, more than a template should read");
    }
    return result;
  }

  @Override
  public boolean exists(TableName table) {
    return inSession.contains(table)
        || lake.findView(table, readPoint).isPresent()
        || lake.findTable(table).isPresent();
  }
}
