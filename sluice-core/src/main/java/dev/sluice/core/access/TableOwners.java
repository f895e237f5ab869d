package dev.sluice.core.access;

import dev.sluice.api.TableName;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.project.SourceTableDef;
import java.util.Optional;

/**
 * The {@code owner:} of a project's table: a model's, or a source table's (which owns its {@code
 * __rejected} table too). Seeds declare none.
 */
final class TableOwners {
  private static final String REJECTED = "__rejected";

  private TableOwners() {}

  static Optional<String> of(Project project, TableName table) {
    for (ModelDef model : project.models().values()) {
      if (model.tableName().equals(table)) {
        return Optional.ofNullable(model.owner()).filter(owner -> !owner.isBlank());
      }
    }
    TableName loaded =
        table.name().endsWith(REJECTED)
            ? new TableName(
                table.zone(), table.name().substring(0, table.name().length() - REJECTED.length()))
            : table;
    for (SourceDef source : project.sources().values()) {
      for (SourceTableDef sourceTable : source.tables()) {
        if (sourceTable.tableName().equals(loaded)) {
          return Optional.ofNullable(sourceTable.owner()).filter(owner -> !owner.isBlank());
        }
      }
    }
    return Optional.empty();
  }
}
