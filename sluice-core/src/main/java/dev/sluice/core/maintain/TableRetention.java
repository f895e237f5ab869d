package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.RetentionDef;
import dev.sluice.lake.Lake;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Deletes a table's expired rows in one Iceberg commit ({@link RowDeletion}: copy-on-write, then
 * every snapshot before that commit expired and the files only they referenced deleted), so that
 * time travel cannot bring the rows back.
 */
final class TableRetention {
  private static final DateTimeFormatter SQL_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private final Lake lake;
  private final EngineSession session;
  private final RowDeletion deletion;

  TableRetention(Lake lake, EngineSession session) {
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
    this.deletion = new RowDeletion(lake, session);
  }

  /**
   * The table's rows whose {@code retention.column()} is before {@code cutoff}, deleted.
   *
   * @throws InvalidInputException naming the retention's file and line when the table has no such
   *     column or it is not a date or timestamp
   */
  RetentionOutcome apply(TableName name, RetentionDef retention, Instant cutoff) {
    Schema schema = lake.loadTable(name).schema();
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
    RowDeletion.Deleted deleted =
        deletion.delete(
            name,
            new RowDeletion.Rows(expired.filter(), expired.sql()),
            "sluice-retention",
            Map.of("sluice.retention", field.name() + " < " + cutoff));
    return new RetentionOutcome(
        name,
        field.name(),
        cutoff,
        deleted.rows(),
        deleted.filesRemoved(),
        deleted.filesRewritten(),
        deleted.snapshotId(),
        deleted.snapshotsExpired(),
        deleted.filesDeleted());
  }

  /** The expired rows as an Iceberg filter (for planning and the commit) and as engine SQL. */
  private record Expired(Expression filter, String sql) {}

  private Expired expired(
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
      // each engine writes the instant in its own type of timestamp with time zone
      String literal =
          zoned ? session.timestampWithTimeZoneLiteral(cutoff) : "TIMESTAMP '" + text + "'";
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
