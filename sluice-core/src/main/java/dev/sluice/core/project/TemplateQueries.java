package dev.sluice.core.project;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;

/**
 * What a dbt project's introspective Jinja reads at run time ({@code run_query}, {@code statement}
 * blocks, {@code adapter.get_columns_in_relation}, {@code adapter.get_relation}): the project's
 * tables, through the run's engine session. A rendering without one (the project's loading, dbt's
 * parse; planning and lineage, which must not query) has {@code execute} false, so that templates
 * take their {@code if not execute} branch as they do in dbt's parse.
 */
public interface TemplateQueries {
  /**
   * Runs one query, which reads the project's tables by their names ({@code main.orders}).
   *
   * @throws dev.sluice.api.SluiceException when the query is refused or fails
   */
  QueryResult query(String sql);

  /** Whether the project's lake has the table or view (as the run reads it). */
  boolean exists(TableName table);
}
