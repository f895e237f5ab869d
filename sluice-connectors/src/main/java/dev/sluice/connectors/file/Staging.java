package dev.sluice.connectors.file;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.QueryException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One staging of a source table in a session: the names of its temporary tables, the table of
 * rejected records, and the wording of data errors.
 */
final class Staging {
  static final String SOURCE_FILE = "_source_file";
  static final String REJECTED_COLUMNS =
      "_source_file VARCHAR, _line BIGINT, _raw_record VARCHAR, _reason VARCHAR";

  /** Column names the connector or the loader add to every row. */
  private static final Set<String> RESERVED = Set.of(SOURCE_FILE, "_loaded_at");

  private static final Logger LOG = LoggerFactory.getLogger(Staging.class);
  private static final int INSERT_BATCH = 500;

  private final SourceTableSpec spec;
  private final EngineSession session;
  private final String prefix;
  private final List<String> workTables = new ArrayList<>();

  Staging(SourceTableSpec spec, EngineSession session) {
    this.spec = requireNonNull(spec, "spec is null");
    this.session = requireNonNull(session, "session is null");
    this.prefix = spec.stagingName();
  }

  SourceTableSpec spec() {
    return spec;
  }

  EngineSession session() {
    return session;
  }

  boolean quarantine() {
    return spec.quarantine();
  }

  /** The temporary table of good rows. */
  String stagedTable() {
    return prefix;
  }

  /** The temporary table of rejected records. */
  String rejectedTable() {
    return prefix + "__rejected";
  }

  /** A temporary table for intermediate results, dropped by {@link #dropWorkTables()}. */
  String workTable(String purpose) {
    String name = prefix + "__" + purpose;
    if (!workTables.contains(name)) {
      workTables.add(name);
    }
    return name;
  }

  /**
   * Creates the (empty) table of rejected records. It is created whether or not the table
   * quarantines: without quarantine, it finds the first bad record.
   */
  void createRejectedTable() {
    session.execute(
        "CREATE OR REPLACE TEMP TABLE "
            + Identifiers.quote(rejectedTable())
            + " ("
            + REJECTED_COLUMNS
            + ")");
  }

  /** Adds rejected records to the rejected table. */
  void insertRejected(List<RejectedRecord> records) {
    for (int start = 0; start < records.size(); start += INSERT_BATCH) {
      StringJoiner values = new StringJoiner(", ");
      for (RejectedRecord record :
          records.subList(start, Math.min(records.size(), start + INSERT_BATCH))) {
        values.add(
            "("
                + SqlLiterals.literal(record.file())
                + ", "
                + record.line()
                + ", "
                + SqlLiterals.literal(record.raw())
                + ", "
                + SqlLiterals.literal(record.reason())
                + ")");
      }
      session.execute("INSERT INTO " + Identifiers.quote(rejectedTable()) + " VALUES " + values);
    }
  }

  long count(String table) {
    return ((Number)
            session
                .query("SELECT count(*) FROM " + Identifiers.quote(table), 1)
                .rows()
                .get(0)
                .get(0))
        .longValue();
  }

  /** Whether a temporary table of this session exists. */
  boolean temporaryTableExists(String table) {
    return !session
        .query(
            "SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = "
                + SqlLiterals.literal(table),
            1)
        .rows()
        .isEmpty();
  }

  void drop(String table) {
    session.dropTemporaryTable(table);
  }

  /** Drops a staged relation: a temporary table, or a view over the files. */
  void dropRelation(String relation) {
    boolean view =
        !session
            .query(
                "SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = "
                    + SqlLiterals.literal(relation),
                1)
            .rows()
            .isEmpty();
    session.execute(
        (view ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ") + Identifiers.quote(relation));
  }

  /** Drops the intermediate tables; failures are logged, as they must not hide the result. */
  void dropWorkTables() {
    for (String table : workTables) {
      try {
        drop(table);
      } catch (QueryException e) {
        LOG.warn("Cannot drop temporary table {}: {}", table, e.getMessage());
      }
    }
    workTables.clear();
  }

  /** Drops everything this staging created, after a failure. */
  void dropAll() {
    workTables.add(rejectedTable());
    dropWorkTables();
    dropRelation(stagedTable());
  }

  /**
   * Fails with the first rejected record (by file, then line) when the table does not quarantine
   * and there is one.
   *
   * @param unit "line" or "row", for the message
   */
  void failOnRejected(String unit) {
    if (quarantine()) {
      return;
    }
    String rejected = Identifiers.quote(rejectedTable());
    List<List<Object>> first =
        session
            .query(
                "SELECT _source_file, _line, _reason FROM "
                    + rejected
                    + " ORDER BY _source_file, _line LIMIT 1",
                1)
            .rows();
    if (first.isEmpty()) {
      return;
    }
    String file = (String) first.get(0).get(0);
    long inFile =
        ((Number)
                session
                    .query(
                        "SELECT count(*) FROM "
                            + rejected
                            + " WHERE _source_file = "
                            + SqlLiterals.literal(file),
                        1)
                    .rows()
                    .get(0)
                    .get(0))
            .longValue();
    throw malformed(
        file,
        unit,
        ((Number) first.get(0).get(1)).longValue(),
        (String) first.get(0).get(2),
        inFile);
  }

  /**
   * The error for a malformed record when the table does not quarantine: file, line, problem and
   * how to fix it.
   *
   * @param unit "line" or "row"
   * @param malformedInFile how many malformed records the file has (0 when unknown)
   */
  DataException malformed(
      String file, String unit, long line, String reason, long malformedInFile) {
    StringBuilder message =
        new StringBuilder("Malformed record in ")
            .append(file)
            .append(" at ")
            .append(unit)
            .append(' ')
            .append(line)
            .append(": ")
            .append(Sql.shortened(reason, 1000))
            .append(". ");
    if (malformedInFile > 1) {
      message
          .append("The file has ")
          .append(malformedInFile)
          .append(" malformed records; this is the first. ");
    }
    message
        .append("Fix the file, or set on_error: quarantine in sources/")
        .append(spec.source())
        .append(".yaml to load the good rows and keep the bad ones in raw.")
        .append(spec.source())
        .append('_')
        .append(spec.table())
        .append("__rejected");
    return new DataException(message.toString());
  }

  /** Whether a column name is one Sluice adds to every loaded row. */
  static boolean isReserved(String column) {
    return RESERVED.contains(column.toLowerCase(Locale.ROOT));
  }

  /**
   * Checks that a file's column name is not one the loader adds.
   *
   * @throws DataException naming the file and column
   */
  void checkNotReserved(String file, String column) {
    if (isReserved(column)) {
      throw new DataException(
          file
              + " has a column named "
              + Sql.shortened(column, 200)
              + ", which Sluice adds to every loaded row; rename the column in the file");
    }
  }

  /**
   * Checks that a file has every declared column, compared without regard to case.
   *
   * @param file the file, and where in it the columns are named, e.g. {@code a.csv line 1: the
   *     header}
   * @param holder what holds the columns, e.g. {@code the header}
   * @param fileColumns the file's columns
   * @param fix how to fix a missing column
   * @throws DataException naming the first missing column and the file's columns
   */
  void checkDeclaredColumnsPresent(
      String file, String holder, List<String> fileColumns, String fix) {
    List<String> lower = fileColumns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
    for (SourceTableSpec.Column column : spec.columns()) {
      if (!lower.contains(column.name().toLowerCase(Locale.ROOT))) {
        throw new DataException(
            file
                + " has no column '"
                + column.name()
                + "', which sources/"
                + spec.source()
                + ".yaml declares ("
                + holder
                + " has: "
                + Sql.shortened(String.join(", ", fileColumns), 1000)
                + "); "
                + fix);
      }
    }
  }
}
