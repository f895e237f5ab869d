package dev.sluice.connectors.file;

import dev.sluice.api.DataException;
import dev.sluice.api.QueryException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Stages Parquet files with DuckDB's {@code read_parquet}, their columns united by name. Each
 * file's schema is read first, so that a file that is not Parquet is reported by name. With
 * declared columns, every file must have them (other columns are ignored) and values that do not
 * convert make their row a bad record, located by its row number in the file.
 */
final class ParquetStager implements FormatStager {
  private static final String FILE_COLUMN = "__sluice_file";

  @Override
  public long stage(Staging staging, List<InputFile> files) {
    EngineSession session = staging.session();
    List<String> paths = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (InputFile file : files) {
      List<String> columns = columnsOf(staging, file);
      checkDeclaredColumnsPresent(staging, file, columns);
      paths.add(file.path().toString());
      names.add(file.name());
    }
    String fileName =
        Sql.stringList(names)
            + "[list_position("
            + Sql.stringList(paths)
            + ", "
            + FILE_COLUMN
            + ")]";
    List<SourceTableSpec.Column> declared = staging.spec().columns();
    String reader =
        "read_parquet("
            + Sql.stringList(paths)
            + ", union_by_name = true, filename = '"
            + FILE_COLUMN
            + "'"
            + (declared.isEmpty() ? "" : ", file_row_number = true")
            + ")";
    try {
      if (declared.isEmpty()) {
        return session.createTemporaryTable(
            staging.stagedTable(),
            "SELECT * EXCLUDE ("
                + FILE_COLUMN
                + "), "
                + fileName
                + " AS _source_file FROM "
                + reader);
      }
      StringJoiner source = new StringJoiner(", ", "SELECT ", " FROM " + reader);
      StringJoiner raw = new StringJoiner(", ", "CAST(to_json({", "}) AS VARCHAR)");
      for (int i = 0; i < declared.size(); i++) {
        String name = declared.get(i).name();
        source.add(Identifiers.quote(name) + " AS " + DeclaredColumns.valueColumn(i));
        raw.add(SqlLiterals.literal(name) + ": " + DeclaredColumns.valueColumn(i));
      }
      source.add(fileName + " AS _source_file");
      source.add("file_row_number + 1 AS __line");
      return new DeclaredColumns(declared, false).stage(staging, source.toString(), raw.toString());
    } catch (QueryException e) {
      throw new DataException(
          "Cannot read the Parquet files "
              + String.join(", ", names)
              + ": "
              + Sql.firstLine(e.getMessage()),
          e);
    }
  }

  /** The file's column names, from its footer. */
  private static List<String> columnsOf(Staging staging, InputFile file) {
    if (file.sizeInBytes() == 0) {
      throw new DataException(file.name() + " is empty, which is not a Parquet file");
    }
    List<String> columns = new ArrayList<>();
    try {
      for (List<Object> row :
          staging
              .session()
              .query(
                  "DESCRIBE SELECT * FROM read_parquet("
                      + SqlLiterals.literal(file.path().toString())
                      + ")",
                  Integer.MAX_VALUE)
              .rows()) {
        String column = (String) row.get(0);
        staging.checkNotReserved(file.name(), column);
        columns.add(column);
      }
    } catch (QueryException e) {
      String reason = Sql.firstLine(e.getMessage()).replace(file.path().toString(), file.name());
      throw new DataException(
          file.name() + " is not a Parquet file DuckDB can read (" + reason + ")", e);
    }
    return columns;
  }

  private static void checkDeclaredColumnsPresent(
      Staging staging, InputFile file, List<String> columns) {
    staging.checkDeclaredColumnsPresent(
        file.name(), "the file", columns, "fix the file or change the declared columns");
  }
}
