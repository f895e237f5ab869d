package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.io.Directories;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Finds the schema of a file source table: its declared columns, or what staging its files in a
 * scratch DuckDB gives, so that discovery and loading can never disagree on inferred types.
 */
final class FileDiscovery {
  private FileDiscovery() {}

  static DiscoveredSchema discover(FileConnector connector, SourceTableSpec table) {
    Schema schema = table.columns().isEmpty() ? inferred(connector, table) : declared(table);
    List<String> cursors = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      Type.TypeID type = field.type().typeId();
      if (type == Type.TypeID.INTEGER
          || type == Type.TypeID.LONG
          || type == Type.TypeID.DATE
          || type == Type.TypeID.TIMESTAMP) {
        cursors.add(field.name());
      }
    }
    return new DiscoveredSchema(schema, List.of(), cursors);
  }

  private static Schema declared(SourceTableSpec table) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (SourceTableSpec.Column column : table.columns()) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    return new Schema(fields);
  }

  private static Schema inferred(FileConnector connector, SourceTableSpec table) {
    SourceTableSpec lenient =
        new SourceTableSpec(
            table.source(),
            table.table(),
            table.projectDirectory(),
            false,
            true,
            table.options(),
            table.columns());
    Path scratch = createScratchDirectory();
    try (DuckDbEngine engine = DuckDbEngine.start(scratch, "1GB");
        EngineSession session = engine.openSession()) {
      StagedData staged =
          connector.stage(lenient, LoadState.empty(), session).materialized(session);
      if (staged.nothingNew()) {
        throw new InvalidInputException(
            "Cannot discover the columns of "
                + table.source()
                + "."
                + table.table()
                + ": no file matches "
                + FileOptions.path(table)
                + "; add a file or declare the columns");
      }
      return session.describe(
          "SELECT * EXCLUDE ("
              + TableName.quote(Staging.SOURCE_FILE)
              + ") FROM "
              + TableName.quote(staged.relation()));
    } finally {
      Directories.deleteRecursively(scratch);
    }
  }

  private static Path createScratchDirectory() {
    try {
      return Files.createTempDirectory("sluice-discover");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
