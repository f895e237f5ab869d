package dev.sluice.connectors.file;

import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
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
              + SqlLiterals.literal("column \"" + column.name() + "\": ")
              + " || "
              + shown(value)
              + " || "
              + SqlLiterals.literal(" is not a valid " + DuckDbTypes.toDuckDb(column.type()))
              + " END");
      finalColumns.add(typedName + " AS " + Identifiers.quote(column.name()));
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
            + Identifiers.quote(staging.rejectedTable())
            + " SELECT _source_file, __line, __raw_record, __reason FROM "
            + Identifiers.quote(work)
            + " WHERE __reason IS NOT NULL ORDER BY _source_file, __line");
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(column -> names.add(Identifiers.quote(column.name())));
    names.add(Identifiers.quote(Staging.SOURCE_FILE));
    return session.createTemporaryTable(
        staging.stagedTable(),
        "SELECT " + names + " FROM " + Identifiers.quote(work) + " WHERE __reason IS NULL");
  }

  /** The typed value, NULL when the raw value does not convert. */
  private String conversion(String value, Type type) {
    return jsonValues ? jsonConversion(value, type) : typedConversion(value, type);
  }

  /**
   * A typed value (of a Parquet file) converted to a type, NULL when it does not fit: as for JSON,
   * a fraction never becomes a whole number (DuckDB's cast rounds 7.5 to 8) and only a boolean or
   * text becomes a boolean (DuckDB's cast turns 6 into true).
   */
  private static String typedConversion(String value, Type type) {
    String cast = "TRY_CAST(" + value + " AS " + DuckDbTypes.toDuckDb(type) + ")";
    return switch (type.typeId()) {
      case INTEGER, LONG ->
          "CASE WHEN typeof("
              + value
              + ") = 'VARCHAR' OR "
              + cast
              + " = TRY_CAST("
              + value
              + " AS DOUBLE) THEN "
              + cast
              + " END";
      case BOOLEAN ->
          "CASE WHEN typeof(" + value + ") IN ('BOOLEAN', 'VARCHAR') THEN " + cast + " END";
      default -> cast;
    };
  }

  /**
   * A JSON value converted to a type, NULL when it does not fit: a number never becomes a boolean
   * nor a fraction a whole number (DuckDB's cast would round 7.5 to 8 and turn 6 into true), while
   * numbers and booleans may come as strings ({@code "12.50"}), as the HTTP connector accepts them.
   */
  static String jsonConversion(String value, Type type) {
    String duckDbType = DuckDbTypes.toDuckDb(type);
    String cast = "TRY_CAST(" + value + " AS " + duckDbType + ")";
    String textCast = "TRY_CAST(" + value + " ->> '$' AS " + duckDbType + ")";
    String kind = "json_type(" + value + ")";
    return switch (type.typeId()) {
      case STRING -> value + " ->> '$'";
      case INTEGER, LONG ->
          castOrCastText(kind + " IN ('BIGINT', 'UBIGINT')", kind, cast, textCast);
      case FLOAT, DOUBLE, DECIMAL ->
          castOrCastText(kind + " IN ('BIGINT', 'UBIGINT', 'DOUBLE')", kind, cast, textCast);
      case BOOLEAN -> castOrCastText(kind + " = 'BOOLEAN'", kind, cast, textCast);
      case STRUCT, MAP -> "CASE WHEN " + kind + " = 'OBJECT' THEN " + cast + " END";
      case LIST -> "CASE WHEN " + kind + " = 'ARRAY' THEN " + cast + " END";
      default -> cast;
    };
  }

  /**
   * {@code cast} when the JSON value is of the kind {@code fits} accepts, {@code textCast} (its
   * text cast) when it is a string, else NULL.
   */
  private static String castOrCastText(String fits, String kind, String cast, String textCast) {
    return "CASE WHEN "
        + fits
        + " THEN "
        + cast
        + " WHEN "
        + kind
        + " = 'VARCHAR' THEN "
        + textCast
        + " END";
  }

  /** A value as shown in a reason: JSON text for JSON, else the text in double quotes. */
  private String shown(String value) {
    return shown(value, jsonValues);
  }

  /** A value as shown in a reason, shortened: JSON text for JSON, else the text in quotes. */
  static String shown(String value, boolean jsonValues) {
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
