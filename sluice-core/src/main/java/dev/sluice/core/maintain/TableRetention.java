package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.core.project.RetentionDef;
import dev.sluice.lake.DataFileScan;
import dev.sluice.lake.ExpiredSnapshots;
import dev.sluice.lake.FileRewrite;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Deletes a table's expired rows in one Iceberg commit through the lake's write path ({@link
 * WriteOperation.DeleteRows}, copy-on-write: files whose rows all expired are removed, files with
 * some expired rows are rewritten with the others), then expires every snapshot before that commit
 * and deletes the files only they referenced, so that time travel cannot bring the rows back.
 */
final class TableRetention {
  private static final String FILE_COLUMN = "_sluice_data_file";

  /** Where the files retention reads are registered in the session, apart from the table itself. */
  private static final String SCRATCH_ZONE = "sluice_retention";

  private static final DateTimeFormatter SQL_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private final Lake lake;
  private final EngineSession session;

  TableRetention(Lake lake, EngineSession session) {
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
  }

  /**
   * The table's rows whose {@code retention.column()} is before {@code cutoff}, deleted.
   *
   * @throws InvalidInputException naming the retention's file and line when the table has no such
   *     column or it is not a date or timestamp
   */
  RetentionOutcome apply(TableName name, RetentionDef retention, Instant cutoff) {
    TableWrite write = lake.newWrite(name, "sluice-retention");
    Schema schema = write.table().schema();
    Types.NestedField field = schema.caseInsensitiveFindField(retention.column());
    if (field == null) {
      throw new InvalidInputException(
          retention.location()
              + ": retention column '"
              + retention.column()
              + "' is not a column of "
              + name
              + " (its columns are: "
              + String.join(", ", schema.columns().stream().map(Types.NestedField::name).toList())
              + "); name a date or timestamp column of the table");
    }
    Expired expired = expired(name, field, retention, cutoff);
    DataFileScan scan = lake.scanDataFiles(name, ReadPoint.main(), expired.filter());
    TableScanFiles read = scan.read();
    if (read.dataFiles().isEmpty()) {
      write.discard();
      return new RetentionOutcome(name, field.name(), cutoff, 0, 0, 0, null, 0, 0);
    }
    TableName files = new TableName(SCRATCH_ZONE, name.name());
    session.registerTableWithFiles(
        files, read.schema(), read.dataFiles(), read.columnMapping(), FILE_COLUMN);
    QueryResult counts =
        session.query(
            "SELECT "
                + TableName.quote(FILE_COLUMN)
                + ", count(*) FILTER (WHERE "
                + expired.sql()
                + "), count(*) FROM "
                + files.quoted()
                + " GROUP BY 1",
            Integer.MAX_VALUE);
    List<DataFile> removed = new ArrayList<>();
    List<DataFile> added = new ArrayList<>();
    long rowsDeleted = 0;
    for (List<Object> row : counts.rows()) {
      String path = (String) row.get(0);
      long expiredRows = ((Number) row.get(1)).longValue();
      long allRows = ((Number) row.get(2)).longValue();
      if (expiredRows == 0) {
        continue;
      }
      rowsDeleted += expiredRows;
      DataFile original = scan.file(path);
      removed.add(original);
      if (expiredRows < allRows) {
        added.add(rewrite(write, name, read, path, original, expired.sql()));
      }
    }
    if (removed.isEmpty()) {
      write.discard();
      return new RetentionOutcome(name, field.name(), cutoff, 0, 0, 0, null, 0, 0);
    }
    long snapshotId =
        write
            .newCommit(
                WriteOperation.deleteRows(
                    expired.filter(), new FileRewrite(read.snapshotId(), removed)))
            .addFiles(added)
            .set("sluice.retention", field.name() + " < " + cutoff)
            .set("sluice.retention-deleted-rows", Long.toString(rowsDeleted))
            .commit();
    Snapshot committed = lake.loadTable(name).snapshot(snapshotId);
    // every snapshot before the delete still references the expired rows' files
    ExpiredSnapshots expiredSnapshots =
        lake.expireSnapshots(name, Instant.ofEpochMilli(committed.timestampMillis() + 1));
    return new RetentionOutcome(
        name,
        field.name(),
        cutoff,
        rowsDeleted,
        removed.size(),
        added.size(),
        snapshotId,
        expiredSnapshots.snapshots(),
        expiredSnapshots.deletedFiles().size());
  }

  /** A file's kept rows, written to a new file of the same partition. */
  private DataFile rewrite(
      TableWrite write,
      TableName name,
      TableScanFiles read,
      String path,
      DataFile original,
      String expiredSql) {
    TableName one = new TableName(SCRATCH_ZONE, name.name() + "_file");
    session.registerTable(one, read.schema(), List.of(path), read.columnMapping());
    WrittenFile kept =
        session.writeParquet(
            "SELECT * FROM " + one.quoted() + " WHERE NOT (" + expiredSql + ")",
            write.table().schema(),
            write.newDataFilePath());
    if (write.table().spec().isUnpartitioned()) {
      return write.toDataFile(kept);
    }
    if (original.specId() != write.table().spec().specId()) {
      throw new DataException(
          "Table "
              + name
              + " has data files of an older partition spec; rebuild it with --full-refresh before"
              + " retention deletes rows of them");
    }
    return write.toDataFile(kept, original.partition());
  }

  /** The expired rows as an Iceberg filter (for planning and the commit) and as engine SQL. */
  private record Expired(Expression filter, String sql) {}

  private static Expired expired(
      TableName name, Types.NestedField field, RetentionDef retention, Instant cutoff) {
    String column = TableName.quote(field.name());
    Type type = field.type();
    // NULLs never expire: Iceberg's lessThan does not match them, and COALESCE keeps them in SQL
    if (type.typeId() == Type.TypeID.DATE) {
      // a date expires when all of it is before the cutoff
      long day = cutoff.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
      return new Expired(
          Expressions.lessThan(field.name(), (int) day),
          "COALESCE(" + column + " < DATE '" + java.time.LocalDate.ofEpochDay(day) + "', false)");
    }
    if (type.typeId() == Type.TypeID.TIMESTAMP) {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, cutoff);
      String text = LocalDateTime.ofInstant(cutoff, ZoneOffset.UTC).format(SQL_TIMESTAMP);
      boolean zoned = ((Types.TimestampType) type).shouldAdjustToUTC();
      String literal =
          zoned ? "CAST('" + text + "+00' AS TIMESTAMPTZ)" : "TIMESTAMP '" + text + "'";
      return new Expired(
          Expressions.lessThan(field.name(), micros),
          "COALESCE(" + column + " < " + literal + ", false)");
    }
    throw new InvalidInputException(
        retention.location()
            + ": retention column '"
            + field.name()
            + "' of "
            + name
            + " is a "
            + type
            + ": rows expire by a date or timestamp column; name one of those");
  }
}
