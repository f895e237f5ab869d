package dev.sluice.core.run;

import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import java.util.List;
import java.util.Map;

/**
 * A connector for tests of merges that delete: it stages the rows of its {@code changes} option
 * ({@code id, name, deleted} as SQL values, e.g. {@code (1, 'a', false), (2, NULL, true)}) as a
 * merge on {@code id} with {@code deleted} as the delete column. Options {@code columns} (other
 * column names for the values), {@code append} (append the rows instead, deleted column and all)
 * and {@code position} (state committed with the rows) shape other loads.
 */
public final class ChangeListConnector implements SourceConnector {
  @Override
  public String type() {
    return "change_list";
  }

  @Override
  public List<ConnectorOption> options() {
    return List.of(
        ConnectorOption.builder("changes", ConnectorOption.Type.STRING)
            .description("the changes, as SQL values (id, name, deleted)")
            .required()
            .build(),
        ConnectorOption.builder("columns", ConnectorOption.Type.STRING)
            .description("the names of the values' columns")
            .defaultValue("id, name, deleted")
            .build(),
        ConnectorOption.builder("append", ConnectorOption.Type.BOOLEAN)
            .description("append the rows instead of merging them")
            .defaultValue("false")
            .build(),
        ConnectorOption.builder("position", ConnectorOption.Type.STRING)
            .description("the state to commit with the rows, as {position: value}")
            .build());
  }

  @Override
  public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
    String relation = "stage_change_list_" + table.table();
    long rows =
        session.createTemporaryTable(
            relation,
            "SELECT * FROM (VALUES "
                + table.options().get("changes")
                + ") AS changes("
                + table.options().getOrDefault("columns", "id, name, deleted")
                + ")");
    String position = table.options().get("position");
    return StagedData.builder()
        .relation(relation, rows)
        .state(position == null ? Map.of() : Map.of("position", position))
        .write(
            Boolean.parseBoolean(table.options().getOrDefault("append", "false"))
                ? StagedData.Write.append()
                : StagedData.Write.mergeWithDeletes(List.of("id"), "deleted"))
        .build();
  }
}
