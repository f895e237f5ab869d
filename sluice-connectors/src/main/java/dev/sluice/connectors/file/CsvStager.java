package dev.sluice.connectors.file;

import dev.sluice.api.DataException;
import dev.sluice.api.QueryException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages CSV files with DuckDB's {@code read_csv}, one file at a time so that each bad record is
 * attributed to its file. The dialect is given, never sniffed: DuckDB's sniffer guesses wrong or
 * gives up on files with malformed rows. Bad records are collected with {@code store_rejects} and
 * located by their byte offset.
 *
 * <p>With declared columns, each file's header must name every declared column (in any order; other
 * columns are ignored) and values are converted by the reader, so values that do not convert are
 * bad records. Without declared columns, all values are read as text, the columns of all files are
 * united by name, and {@link CsvTypeInference} chooses the types.
 */
final class CsvStager implements FormatStager {
  private static final Logger LOG = LoggerFactory.getLogger(CsvStager.class);
  private static final int INSERT_BATCH = 1000;

  /** The column of each row's file path in a read of several files (not a data column). */
  private static final String PATH_COLUMN = "_sluice_csv_path";

  /** Why a record is bad, per DuckDB error, led by the column where there is one. */
  private static final String REASON =
      "CASE CAST(error_type AS VARCHAR)"
          + " WHEN 'CAST' THEN 'column \"' || column_name || '\": '"
          + " || regexp_replace(error_message, '^Error when converting column \"[^\"]*\"\\. ', '')"
          + " WHEN 'MISSING COLUMNS' THEN 'too few values: ' || regexp_replace(error_message,"
          + " '^Expected Number of Columns: ([0-9]+) Found: ([0-9]+).*$', 'expected \\1, found \\2')"
          + " WHEN 'TOO MANY COLUMNS' THEN 'too many values: ' || regexp_replace(error_message,"
          + " '^Expected Number of Columns: ([0-9]+) Found: ([0-9]+).*$', 'expected \\1, found \\2')"
          + " WHEN 'UNQUOTED VALUE' THEN 'column \"' || coalesce(column_name, '?') || '\": a quoted"
          + " value is not closed properly (a quote is missing, or there is text after the closing"
          + " quote)'"
          + " WHEN 'LINE SIZE OVER MAXIMUM' THEN 'the record is longer than the maximum line size: '"
          + " || error_message"
          + " WHEN 'INVALID ENCODING' THEN 'the record is not valid UTF-8 text'"
          + " ELSE lower(CAST(error_type AS VARCHAR)) || ': ' || error_message END";

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }

  @Override
  public long stage(Staging staging, List<InputFile> files) {
    EngineSession session = staging.session();
    CsvOptions options = CsvOptions.parse(FileOptions.formatOptions(staging.spec()));
    List<SourceTableSpec.Column> declared = staging.spec().columns();
    Map<InputFile, List<CsvLongRecords.LongRecord>> longRecords =
        longRecords(staging, files, options);
    List<List<String>> fileColumns = new ArrayList<>();
    for (InputFile file : files) {
      fileColumns.add(columnsOf(staging, file, options));
    }
    String target;
    List<String> columns = new ArrayList<>();
    StringJoiner definition = new StringJoiner(", ", "(", ")");
    if (declared.isEmpty()) {
      target = staging.workTable("text");
      columns.addAll(unite(fileColumns));
      columns.forEach(column -> definition.add(Identifiers.quote(column) + " VARCHAR"));
    } else {
      target = staging.stagedTable();
      for (SourceTableSpec.Column column : declared) {
        columns.add(column.name());
        definition.add(
            Identifiers.quote(column.name()) + " " + DuckDbTypes.toDuckDb(column.type()));
      }
    }
    definition.add(Identifiers.quote(Staging.SOURCE_FILE) + " VARCHAR");
    session.execute("CREATE OR REPLACE TEMP TABLE " + Identifiers.quote(target) + " " + definition);
    long started = System.nanoTime();
    for (int i = 0; i < files.size(); i++) {
      InputFile file = files.get(i);
      List<CsvLongRecords.LongRecord> tooLong = longRecords.getOrDefault(file, List.of());
      if (tooLong.isEmpty()) {
        read(staging, file, fileColumns.get(i), columns, target, options);
      } else {
        readWithout(staging, file, tooLong, fileColumns.get(i), columns, target, options);
      }
    }
    LOG.debug("Read {} CSV files in {} ms", files.size(), millisSince(started));
    if (!declared.isEmpty()) {
      return staging.count(target);
    }
    started = System.nanoTime();
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    new CsvTypeInference(options).conversions(session, target, columns).forEach(select::add);
    select.add(Identifiers.quote(Staging.SOURCE_FILE));
    LOG.debug("Inferred the types of {} columns in {} ms", columns.size(), millisSince(started));
    started = System.nanoTime();
    long rows =
        session.createTemporaryTable(
            staging.stagedTable(), select + " FROM " + Identifiers.quote(target));
    LOG.debug("Converted {} rows in {} ms", rows, millisSince(started));
    return rows;
  }

  /**
   * The records longer than the maximum line size, by file: they fail the load at once when the
   * table does not quarantine, and a long header always does.
   */
  private static Map<InputFile, List<CsvLongRecords.LongRecord>> longRecords(
      Staging staging, List<InputFile> files, CsvOptions options) {
    Map<InputFile, List<CsvLongRecords.LongRecord>> byFile = new HashMap<>();
    for (InputFile file : files) {
      List<CsvLongRecords.LongRecord> found;
      try {
        // found while the file was checksummed, else looked for now
        found =
            file.longRecords() != null
                ? file.longRecords()
                : CsvLongRecords.find(file, options.quote(), options.escape());
      } catch (IOException e) {
        throw InputFile.unreadable(file.name(), e);
      }
      if (found.isEmpty()) {
        continue;
      }
      CsvLongRecords.LongRecord first = found.get(0);
      if (first.line() == 1 && options.header()) {
        throw new DataException(
            file.name()
                + " line 1: the header is longer than the maximum line size of "
                + CsvLongRecords.MAX_LINE_BYTES
                + " bytes ("
                + first.bytes()
                + " bytes); check that the file is CSV with the delimiter and quote of sources/"
                + staging.spec().source()
                + ".yaml");
      }
      if (!staging.quarantine()) {
        throw staging.malformed(file.name(), "line", first.line(), first.reason(), found.size());
      }
      byFile.put(file, found);
    }
    return byFile;
  }

  /**
   * Reads a file without its long records, which are quarantined here: DuckDB reads a copy of the
   * file in which each is blank lines, so that the lines it reports are the file's.
   */
  private void readWithout(
      Staging staging,
      InputFile file,
      List<CsvLongRecords.LongRecord> longRecords,
      List<String> fileColumns,
      List<String> targetColumns,
      String target,
      CsvOptions options) {
    Path copy = null;
    try {
      List<RejectedRecord> rejected = new ArrayList<>();
      for (CsvLongRecords.LongRecord record : longRecords) {
        rejected.add(
            new RejectedRecord(
                file.name(), record.line(), CsvLongRecords.shown(file, record), record.reason()));
      }
      staging.insertRejected(rejected);
      copy = Files.createTempFile("sluice-csv-", ".csv");
      CsvLongRecords.copyWithout(file, longRecords, copy);
      InputFile withoutLongRecords =
          new InputFile(copy, file.name(), file.checksum(), Files.size(copy));
      read(staging, withoutLongRecords, fileColumns, targetColumns, target, options);
    } catch (IOException e) {
      throw InputFile.unreadable(file.name(), e);
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (IOException e) {
          LOG.warn("Cannot delete the temporary file {}: {}", copy, e.getMessage());
        }
      }
    }
  }

  /** The names of a file's columns, in file order; empty for an empty file. */
  private static List<String> columnsOf(Staging staging, InputFile file, CsvOptions options) {
    List<SourceTableSpec.Column> declared = staging.spec().columns();
    if (!options.header() && !declared.isEmpty()) {
      return declared.stream().map(SourceTableSpec.Column::name).toList();
    }
    List<String> first;
    try {
      first =
          CsvHeader.firstRecord(
              file, options.delimiterFor(file.path()), options.quote(), options.escape());
    } catch (IOException e) {
      throw InputFile.unreadable(file.name(), e);
    }
    List<String> names = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < first.size(); i++) {
      String name = options.header() ? first.get(i).strip() : "";
      if (name.isEmpty()) {
        name = "column" + i;
      }
      String previous = seen.put(name.toLowerCase(Locale.ROOT), name);
      if (previous != null) {
        throw new DataException(
            file.name()
                + " line 1: the header names the column '"
                + Sql.shortened(name, 200)
                + "' twice; give each column its own name");
      }
      staging.checkNotReserved(file.name() + " line 1", name);
      names.add(name);
    }
    return names;
  }

  /** The columns of all files, united by name (ignoring case), in order of first appearance. */
  private static List<String> unite(List<List<String>> fileColumns) {
    Map<String, String> union = new LinkedHashMap<>();
    for (List<String> columns : fileColumns) {
      for (String column : columns) {
        union.putIfAbsent(column.toLowerCase(Locale.ROOT), column);
      }
    }
    return new ArrayList<>(union.values());
  }

  private void read(
      Staging staging,
      InputFile file,
      List<String> fileColumns,
      List<String> targetColumns,
      String target,
      CsvOptions options) {
    if (fileColumns.isEmpty()) {
      return;
    }
    Map<String, String> targetByLowerName = new HashMap<>();
    targetColumns.forEach(column -> targetByLowerName.put(column.toLowerCase(Locale.ROOT), column));
    Map<String, SourceTableSpec.Column> declaredByLowerName = new HashMap<>();
    staging
        .spec()
        .columns()
        .forEach(column -> declaredByLowerName.put(column.name().toLowerCase(Locale.ROOT), column));
    boolean declared = !declaredByLowerName.isEmpty();
    if (declared && options.header()) {
      checkDeclaredColumnsPresent(staging, file, fileColumns);
    }

    StringJoiner insertColumns = new StringJoiner(", ", "(", ")");
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    for (String column : fileColumns) {
      String lower = column.toLowerCase(Locale.ROOT);
      if (!declared || declaredByLowerName.containsKey(lower)) {
        insertColumns.add(Identifiers.quote(targetByLowerName.get(lower)));
        select.add(Identifiers.quote(column));
      }
    }
    insertColumns.add(Identifiers.quote(Staging.SOURCE_FILE));
    select.add(SqlLiterals.literal(file.name()));

    String errors = staging.workTable("csv_errors");
    String scans = staging.workTable("csv_scans");
    staging.drop(errors);
    staging.drop(scans);
    String reader =
        reader(
            staging,
            SqlLiterals.literal(file.path().toString()),
            fileColumns,
            options.delimiterFor(file.path()),
            options,
            errors,
            scans,
            false);
    try {
      staging
          .session()
          .execute(
              "INSERT INTO "
                  + Identifiers.quote(target)
                  + " "
                  + insertColumns
                  + " "
                  + select
                  + " FROM "
                  + reader);
    } catch (QueryException e) {
      throw new DataException(
          "Cannot read " + file.name() + " as CSV: " + Sql.firstLine(e.getMessage()), e);
    }
    if (staging.temporaryTableExists(errors)) {
      collectRejects(staging, file, errors);
    }
  }

  /**
   * Stages files with declared columns as a view that reads them when it is scanned, so that they
   * are read once, while being written, like DuckDB's own {@code COPY} from {@code read_csv}. That
   * needs one {@code read_csv} of all the files: every file must have the same header and delimiter
   * (else the files are read one by one into a temporary table, see {@link #stage}).
   *
   * @return what to do after the view's scan (collect or fail on its bad records), or null when the
   *     files cannot be read by one {@code read_csv}
   */
  StagedData.AfterScan stageAsView(Staging staging, List<InputFile> files) {
    CsvOptions options = CsvOptions.parse(FileOptions.formatOptions(staging.spec()));
    if (staging.spec().columns().isEmpty() || files.isEmpty()) {
      return null;
    }
    if (!longRecords(staging, files, options).isEmpty()) {
      return null;
    }
    List<String> fileColumns = columnsOf(staging, files.get(0), options);
    String delimiter = options.delimiterFor(files.get(0).path());
    for (InputFile file : files) {
      if (!columnsOf(staging, file, options).equals(fileColumns)
          || !options.delimiterFor(file.path()).equals(delimiter)) {
        return null;
      }
    }
    if (fileColumns.isEmpty()) {
      return null;
    }
    if (options.header()) {
      for (InputFile file : files) {
        checkDeclaredColumnsPresent(staging, file, fileColumns);
      }
    }
    StringJoiner paths = new StringJoiner(", ", "[", "]");
    files.forEach(file -> paths.add(SqlLiterals.literal(file.path().toString())));
    StringBuilder sourceFile = new StringBuilder();
    if (files.size() == 1) {
      sourceFile.append(SqlLiterals.literal(files.get(0).name()));
    } else {
      sourceFile.append("CASE ").append(Identifiers.quote(PATH_COLUMN));
      files.forEach(
          file ->
              sourceFile
                  .append(" WHEN ")
                  .append(SqlLiterals.literal(file.path().toString()))
                  .append(" THEN ")
                  .append(SqlLiterals.literal(file.name())));
      sourceFile.append(" END");
    }
    Map<String, String> fileColumnByLowerName = new HashMap<>();
    fileColumns.forEach(c -> fileColumnByLowerName.put(c.toLowerCase(Locale.ROOT), c));
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    for (SourceTableSpec.Column column : staging.spec().columns()) {
      select.add(
          Identifiers.quote(fileColumnByLowerName.get(column.name().toLowerCase(Locale.ROOT)))
              + " AS "
              + Identifiers.quote(column.name()));
    }
    select.add(sourceFile + " AS " + Identifiers.quote(Staging.SOURCE_FILE));
    String errors = staging.workTable("csv_errors");
    String scans = staging.workTable("csv_scans");
    staging.drop(errors);
    staging.drop(scans);
    staging
        .session()
        .execute(
            "CREATE OR REPLACE TEMP VIEW "
                + Identifiers.quote(staging.stagedTable())
                + " AS "
                + select
                + " FROM "
                + reader(
                    staging,
                    paths.toString(),
                    fileColumns,
                    delimiter,
                    options,
                    errors,
                    scans,
                    files.size() > 1));
    return () -> {
      if (staging.temporaryTableExists(errors)) {
        for (int i = 0; i < files.size(); i++) {
          InputFile file = files.get(i);
          String fileErrors = staging.workTable("csv_file_errors");
          staging
              .session()
              .execute(
                  "CREATE OR REPLACE TEMP TABLE "
                      + Identifiers.quote(fileErrors)
                      + " AS SELECT e.* FROM "
                      + Identifiers.quote(errors)
                      + " AS e JOIN "
                      + Identifiers.quote(scans)
                      + " AS s ON e.scan_id = s.scan_id AND e.file_id = s.file_id"
                      + " WHERE s.file_path = "
                      + SqlLiterals.literal(file.path().toString()));
          collectRejects(staging, file, fileErrors);
        }
      }
      long rejected = staging.count(staging.rejectedTable());
      if (rejected == 0) {
        staging.drop(staging.rejectedTable());
      }
      staging.dropWorkTables();
      return rejected == 0
          ? StagedData.Rejected.NONE
          : new StagedData.Rejected(staging.rejectedTable(), rejected);
    };
  }

  /**
   * A {@code read_csv} of files with the given columns (the declared type for declared columns,
   * text for the others), keeping bad records in {@code errors} and {@code scans}.
   *
   * @param paths a SQL literal of a path, or a list of them
   * @param filename whether to add each row's file path as the column {@link #PATH_COLUMN}
   */
  private static String reader(
      Staging staging,
      String paths,
      List<String> fileColumns,
      String delimiter,
      CsvOptions options,
      String errors,
      String scans,
      boolean filename) {
    Map<String, SourceTableSpec.Column> declaredByLowerName = new HashMap<>();
    staging
        .spec()
        .columns()
        .forEach(column -> declaredByLowerName.put(column.name().toLowerCase(Locale.ROOT), column));
    StringJoiner types = new StringJoiner(", ", "{", "}");
    for (String column : fileColumns) {
      SourceTableSpec.Column declaredColumn =
          declaredByLowerName.get(column.toLowerCase(Locale.ROOT));
      String type =
          declaredColumn == null ? "VARCHAR" : DuckDbTypes.toDuckDb(declaredColumn.type());
      types.add(SqlLiterals.literal(column) + ": " + SqlLiterals.literal(type));
    }
    StringBuilder reader =
        new StringBuilder("read_csv(")
            .append(paths)
            .append(", auto_detect = false, header = ")
            .append(options.header())
            .append(", delim = ")
            .append(SqlLiterals.literal(delimiter))
            .append(", quote = ")
            .append(SqlLiterals.literal(options.quote()))
            .append(", escape = ")
            .append(SqlLiterals.literal(options.escape()))
            .append(", max_line_size = ")
            .append(CsvLongRecords.MAX_LINE_BYTES);
    if (options.nullString() != null) {
      reader.append(", nullstr = ").append(SqlLiterals.literal(options.nullString()));
    }
    if (options.dateFormat() != null) {
      reader.append(", dateformat = ").append(SqlLiterals.literal(options.dateFormat()));
    }
    if (options.timestampFormat() != null) {
      reader.append(", timestampformat = ").append(SqlLiterals.literal(options.timestampFormat()));
    }
    if (filename) {
      reader.append(", filename = ").append(SqlLiterals.literal(PATH_COLUMN));
    }
    return reader
        .append(", strict_mode = true, columns = ")
        .append(types)
        .append(", store_rejects = true, rejects_table = ")
        .append(SqlLiterals.literal(errors))
        .append(", rejects_scan = ")
        .append(SqlLiterals.literal(scans))
        .append(')')
        .toString();
  }

  private static void checkDeclaredColumnsPresent(
      Staging staging, InputFile file, List<String> fileColumns) {
    staging.checkDeclaredColumnsPresent(
        file.name() + " line 1: the header",
        "the header",
        fileColumns,
        "fix the header, set csv: header: false if the file has none, or change the declared"
            + " columns");
  }

  /**
   * Handles the bad records DuckDB found in one file: fail on the first, or quarantine all. A
   * record with a structural error (wrong number of values, broken quote, bad encoding) is
   * described by that alone: DuckDB also reports the shifted values that then do not convert.
   */
  private static void collectRejects(Staging staging, InputFile file, String errors) {
    EngineSession session = staging.session();
    String grouped =
        "SELECT position, trim(any_value(csv_line), chr(13) || chr(10)) AS raw,"
            + " CASE WHEN bool_or(NOT is_cast) THEN string_agg(reason, '; ' ORDER BY column_idx)"
            + " FILTER (WHERE NOT is_cast) ELSE string_agg(reason, '; ' ORDER BY column_idx) END"
            + " AS reason FROM ("
            + "SELECT coalesce(line_byte_position, 0) AS position, column_idx, csv_line,"
            + " CAST(error_type AS VARCHAR) = 'CAST' AS is_cast, "
            + REASON
            + " AS reason, row_number() OVER (PARTITION BY line_byte_position, error_type"
            + " ORDER BY column_idx) AS nth FROM "
            + Identifiers.quote(errors)
            + ") WHERE nth = 1 OR is_cast GROUP BY position";
    long bad =
        ((Number)
                session
                    .query(
                        "SELECT count(DISTINCT line_byte_position) FROM "
                            + Identifiers.quote(errors),
                        1)
                    .rows()
                    .get(0)
                    .get(0))
            .longValue();
    if (bad == 0) {
      return;
    }
    if (!staging.quarantine()) {
      List<Object> first = session.query(grouped + " ORDER BY position LIMIT 1", 1).rows().get(0);
      long position = ((Number) first.get(0)).longValue();
      long line = lines(file, List.of(position)).get(position);
      throw staging.malformed(file.name(), "line", line, (String) first.get(2), bad);
    }
    List<Long> positions = new ArrayList<>();
    for (List<Object> row :
        session
            .query(
                "SELECT DISTINCT coalesce(line_byte_position, 0) FROM "
                    + Identifiers.quote(errors)
                    + " ORDER BY 1",
                Integer.MAX_VALUE)
            .rows()) {
      positions.add(((Number) row.get(0)).longValue());
    }
    Map<Long, Long> lines = lines(file, positions);
    String lineTable = staging.workTable("csv_lines");
    session.execute(
        "CREATE OR REPLACE TEMP TABLE "
            + Identifiers.quote(lineTable)
            + " (position UBIGINT, line BIGINT)");
    for (int start = 0; start < positions.size(); start += INSERT_BATCH) {
      StringJoiner values = new StringJoiner(", ");
      for (Long position :
          positions.subList(start, Math.min(positions.size(), start + INSERT_BATCH))) {
        values.add("(" + position + ", " + lines.get(position) + ")");
      }
      session.execute("INSERT INTO " + Identifiers.quote(lineTable) + " VALUES " + values);
    }
    session.execute(
        "INSERT INTO "
            + Identifiers.quote(staging.rejectedTable())
            + " SELECT "
            + SqlLiterals.literal(file.name())
            + ", l.line, g.raw, g.reason FROM ("
            + grouped
            + ") AS g JOIN "
            + Identifiers.quote(lineTable)
            + " AS l ON g.position = l.position ORDER BY l.line");
    staging.drop(lineTable);
  }

  /**
   * The lines of records at DuckDB's {@code line_byte_position}s, which count from 1 and may point
   * at the line break before the record.
   */
  private static Map<Long, Long> lines(InputFile file, List<Long> positions) {
    List<Long> offsets = positions.stream().map(p -> Math.max(0, p - 1)).toList();
    Map<Long, Long> byOffset;
    try (InputStream in = file.open()) {
      byOffset = LineNumbers.of(in, offsets);
    } catch (IOException e) {
      throw InputFile.unreadable(file.name(), e);
    }
    Map<Long, Long> byPosition = new HashMap<>();
    for (Long position : positions) {
      byPosition.put(position, byOffset.get(Math.max(0, position - 1)));
    }
    return byPosition;
  }
}
