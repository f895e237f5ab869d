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
 * merge on {@code id} with {@code deleted} as the delete column.
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
                + ") AS changes(id, name, deleted)");
    return new StagedData(
        relation,
        rows,
        null,
        0,
        List.of(),
        Map.of(),
        StagedData.Write.mergeWithDeletes(List.of("id"), "deleted"));
  }
}
