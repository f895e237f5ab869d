package dev.sluice.connectors.file;

import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.types.Type;

/**
 * Converts the values of declared columns with TRY_CAST, so that a value of the wrong type makes
 * its row a bad record (with the column and value in the reason) instead of failing the whole load
 * or turning silently into NULL. Used for JSON and Parquet, where DuckDB's readers cannot collect
 * bad records themselves.
 *
 * <p>The source relation must have, per declared column {@code i}, the raw value as {@code __v<i>}
 * ({@link #valueColumn}), plus {@code _source_file}, {@code __line} (the record's line, or row
 * number) and whatever the raw-record expression reads. Good rows go to the staged table with the
 * typed columns and {@code _source_file}; bad rows to the rejected table.
 */
final class DeclaredColumns {
  private final List<SourceTableSpec.Column> columns;
  private final boolean jsonValues;

  /**
   * @param jsonValues whether the raw values are DuckDB JSON values (else typed SQL values)
   */
  DeclaredColumns(List<SourceTableSpec.Column> columns, boolean jsonValues) {
    this.columns = List.copyOf(columns);
    this.jsonValues = jsonValues;
  }

  /** The name of the raw value of the {@code i}-th declared column in the source relation. */
  static String valueColumn(int i) {
    return "__v" + i;
  }

  /**
   * Stages {@code source} into {@code staging}'s tables: good rows into the staged table, bad ones
   * into the rejected table.
   *
   * @param source a relation with the columns described in the class documentation
   * @param rawRecord an expression over the source's columns giving a bad record's text
   * @return the number of rows staged
   */
  long stage(Staging staging, String source, String rawRecord) {
    EngineSession session = staging.session();
    StringJoiner typed = new StringJoiner(", ");
    StringJoiner reasons = new StringJoiner(", ", "NULLIF(concat_ws('; ', ", "), '')");
    StringJoiner finalColumns = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      SourceTableSpec.Column column = columns.get(i);
      String value = valueColumn(i);
      String typedName = "__t" + i;
      typed.add(conversion(value, column.type()) + " AS " + typedName);
      reasons.add(
          "CASE WHEN "
              + value
              + " IS NOT NULL AND "
              + typedName
              + " IS NULL THEN "
              + Sql.literal("column \"" + column.name() + "\": ")
              + " || "
              + shown(value)
              + " || "
              + Sql.literal(" is not a valid " + DuckDbTypes.toDuckDb(column.type()))
              + " END");
      finalColumns.add(typedName + " AS " + Sql.identifier(column.name()));
    }
    String checked =
        "SELECT "
            + finalColumns
            + ", _source_file, __line, __reason, CASE WHEN __reason IS NOT NULL THEN "
            + rawRecord
            + " END AS __raw_record FROM (SELECT *, "
            + reasons
            + " AS __reason FROM (SELECT *, "
            + typed
            + " FROM ("
            + source
            + ")))";
    String work = staging.workTable("checked");
    session.createTemporaryTable(work, checked);
    session.execute(
        "INSERT INTO "
            + Sql.identifier(staging.rejectedTable())
            + " SELECT _source_file, __line, __raw_record, __reason FROM "
            + Sql.identifier(work)
            + " WHERE __reason IS NOT NULL ORDER BY _source_file, __line");
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(column -> names.add(Sql.identifier(column.name())));
    names.add(Sql.identifier(Staging.SOURCE_FILE));
    return session.createTemporaryTable(
        staging.stagedTable(),
        "SELECT " + names + " FROM " + Sql.identifier(work) + " WHERE __reason IS NULL");
  }

  /** The typed value, NULL when the raw value does not convert. */
  private String conversion(String value, Type type) {
    String duckDbType = DuckDbTypes.toDuckDb(type);
    if (!jsonValues) {
      return "TRY_CAST(" + value + " AS " + duckDbType + ")";
    }
    if (type.typeId() == org.apache.iceberg.types.Type.TypeID.STRING) {
      return value + " ->> '$'";
    }
    String expected =
        switch (type.typeId()) {
          case STRUCT, MAP -> "OBJECT";
          case LIST -> "ARRAY";
          default -> null;
        };
    String cast = "TRY_CAST(" + value + " AS " + duckDbType + ")";
    return expected == null
        ? cast
        : "CASE WHEN json_type(" + value + ") = '" + expected + "' THEN " + cast + " END";
  }

  /** A value as shown in a reason: JSON text for JSON, else the text in double quotes. */
  private String shown(String value) {
    String text =
        jsonValues
            ? "CAST(" + value + " AS VARCHAR)"
            : "'\"' || CAST(" + value + " AS VARCHAR) || '\"'";
    return "CASE WHEN length("
        + text
        + ") > 200 THEN left("
        + text
        + ", 200) || '...' ELSE "
        + text
        + " END";
  }
}
