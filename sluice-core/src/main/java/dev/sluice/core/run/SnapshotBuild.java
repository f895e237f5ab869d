package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.SnapshotDef;
import dev.sluice.core.project.SnapshotDef.HardDeletes;
import dev.sluice.core.project.SnapshotDef.MetaColumns;
import dev.sluice.core.project.SnapshotDef.Strategy;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The SQL of a snapshot model's run (a type-2 slowly changing dimension), as dbt's snapshot
 * materialization builds it (dbt-core's {@code snapshot_staging_table} and {@code
 * snapshot_merge_sql}): the table's rows with the changed and deleted current versions closed, plus
 * the new versions and, with {@code hard_deletes: new_record}, the deletion records. Sluice writes
 * that as the table's new contents in one Iceberg commit.
 *
 * <p>{@code dbt_scd_id} is {@code md5} of the unique key's columns and the version's {@code
 * updated_at}, each {@code coalesce(cast(x as varchar), '')}, joined by {@code '|'}, as dbt's
 * {@code snapshot_hash_arguments}. The snapshot's time (dbt's {@code snapshot_get_time()}, DuckDB's
 * {@code now()}) is the step's start.
 */
final class SnapshotBuild {
  private final SnapshotDef snapshot;
  private final MetaColumns meta;
  private final String now;

  SnapshotBuild(SnapshotDef snapshot, Instant snapshotTime) {
    this.snapshot = snapshot;
    this.meta = snapshot.columns();
    this.now =
        "CAST('"
            + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                .withZone(ZoneOffset.UTC)
                .format(snapshotTime)
            + "+00' AS TIMESTAMP WITH TIME ZONE)";
  }

  /** The first build: every row of the query is its first, current version. */
  String initial(String source) {
    StringBuilder sql = new StringBuilder("SELECT source_rows.*, ");
    sql.append(newVersionColumns("source_rows"));
    if (snapshot.hardDeletes() == HardDeletes.NEW_RECORD) {
      sql.append(", 'False' AS ").append(q(meta.isDeleted()));
    }
    return sql.append(" FROM (").append(source).append(") AS source_rows").toString();
  }

  /**
   * A later build: the table's versions, the changed and deleted current ones closed, and the new
   * versions.
   *
   * @param sourceColumns the query's columns
   * @param tableSchema the table's columns
   */
  String update(
      EngineSession session,
      TableName table,
      String source,
      List<String> sourceColumns,
      Schema tableSchema) {
    List<String> tableColumns =
        tableSchema.columns().stream().map(Types.NestedField::name).toList();
    String current = "(SELECT * FROM " + table.quoted() + " WHERE " + isCurrent("") + ")";
    String changed = rowChanged(sourceColumns, tableColumns);
    String joinOn = keyJoin("snapshotted", "source_rows");
    String firstKey = q(snapshot.uniqueKey().get(0));
    boolean newRecord = snapshot.hardDeletes() == HardDeletes.NEW_RECORD;
    String deletedMarker = newRecord ? " OR snapshotted." + q(meta.isDeleted()) + " = 'True'" : "";

    // dbt's 'updates' and 'deletes': the current versions to close, and when
    List<String> closing = new ArrayList<>();
    closing.add(
        "SELECT snapshotted."
            + q(meta.scdId())
            + " AS closed_id, "
            + updatedAt("source_rows")
            + " AS closed_to FROM "
            + current
            + " AS snapshotted JOIN ("
            + source
            + ") AS source_rows ON "
            + joinOn
            + " WHERE ("
            + changed
            + ")"
            + deletedMarker);
    if (snapshot.hardDeletes() != HardDeletes.IGNORE) {
      closing.add(
          "SELECT snapshotted."
              + q(meta.scdId())
              + ", "
              + nowAs(tableSchema)
              + " FROM "
              + current
              + " AS snapshotted LEFT JOIN ("
              + source
              + ") AS source_rows ON "
              + joinOn
              + " WHERE source_rows."
              + firstKey
              + " IS NULL"
              + (newRecord ? " AND NOT (snapshotted." + q(meta.isDeleted()) + " = 'True')" : ""));
    }
    StringJoiner kept = new StringJoiner(", ");
    for (String column : tableColumns) {
      kept.add(
          column.equals(meta.validTo())
              ? "CASE WHEN "
                  + isCurrent("existing.")
                  + " AND closing.closed_id IS NOT NULL THEN closing.closed_to ELSE"
                  + " existing."
                  + q(meta.validTo())
                  + " END AS "
                  + q(meta.validTo())
              : "existing." + q(column));
    }
    String keptRows =
        "SELECT "
            + kept
            + " FROM "
            + table.quoted()
            + " AS existing LEFT JOIN (SELECT closed_id, min(closed_to) AS closed_to FROM ("
            + String.join(" UNION ALL ", closing)
            + ") AS closings GROUP BY closed_id) AS closing ON existing."
            + q(meta.scdId())
            + " = closing.closed_id";

    // dbt's 'insertions': new keys, and new versions of changed rows (not already in the table)
    String insertions =
        "SELECT source_rows.*, "
            + newVersionColumns("source_rows")
            + (newRecord ? ", 'False' AS " + q(meta.isDeleted()) : "")
            + " FROM ("
            + source
            + ") AS source_rows LEFT JOIN "
            + current
            + " AS snapshotted ON "
            + joinOn
            + " WHERE (snapshotted."
            + firstKey
            + " IS NULL OR ("
            + changed
            + ")"
            + deletedMarker
            + ") AND "
            + scdId("source_rows")
            + " NOT IN (SELECT "
            + q(meta.scdId())
            + " FROM "
            + table.quoted()
            + " WHERE "
            + q(meta.scdId())
            + " IS NOT NULL)";
    String all = ModelStep.unionAllByName(session, keptRows, insertions);
    if (newRecord) {
      // dbt's 'deletion_records': a version that says the row was deleted
      StringJoiner copied = new StringJoiner(", ");
      for (String column : sourceColumns) {
        if (tableColumns.contains(column)) {
          copied.add("snapshotted." + q(column));
        }
      }
      String deletionRecords =
          "SELECT "
              + copied
              + ", "
              + nowAs(tableSchema)
              + " AS "
              + q(meta.validFrom())
              + ", "
              + nowAs(tableSchema)
              + " AS "
              + q(meta.updatedAt())
              + ", snapshotted."
              + q(meta.validTo())
              + " AS "
              + q(meta.validTo())
              + ", "
              + hash(List.of("snapshotted." + q(meta.scdId()), now))
              + " AS "
              + q(meta.scdId())
              + ", 'True' AS "
              + q(meta.isDeleted())
              + " FROM "
              + current
              + " AS snapshotted LEFT JOIN ("
              + source
              + ") AS source_rows ON "
              + joinOn
              + " WHERE source_rows."
              + firstKey
              + " IS NULL AND NOT (snapshotted."
              + q(meta.isDeleted())
              + " = 'True')";
      all = ModelStep.unionAllByName(session, all, deletionRecords);
    }
    return all;
  }

  /** dbt_scd_id, dbt_updated_at, dbt_valid_from and dbt_valid_to of a new version. */
  private String newVersionColumns(String alias) {
    String updated = updatedAt(alias);
    return scdId(alias)
        + " AS "
        + q(meta.scdId())
        + ", "
        + updated
        + " AS "
        + q(meta.updatedAt())
        + ", "
        + updated
        + " AS "
        + q(meta.validFrom())
        + ", "
        + validTo(updated)
        + " AS "
        + q(meta.validTo());
  }

  /**
   * A new version's dbt_valid_to: null, or the snapshot's {@code dbt_valid_to_current} (dbt's
   * {@code get_dbt_valid_to_current}), in the type of updated_at.
   */
  private String validTo(String updated) {
    String none = "nullif(" + updated + ", " + updated + ")";
    return snapshot.validToCurrent() == null
        ? none
        : "coalesce(" + none + ", " + snapshot.validToCurrent() + ")";
  }

  /**
   * Whether a version (of {@code alias}, e.g. {@code existing.}) is current: its dbt_valid_to is
   * null, or the snapshot's {@code dbt_valid_to_current}, as dbt-duckdb's snapshot merge asks.
   */
  private String isCurrent(String alias) {
    String validTo = alias + q(meta.validTo());
    return snapshot.validToCurrent() == null
        ? validTo + " IS NULL"
        : "(" + validTo + " = " + snapshot.validToCurrent() + " OR " + validTo + " IS NULL)";
  }

  /** The version's time: its updated_at column, or (check without one) the snapshot's time. */
  private String updatedAt(String alias) {
    return snapshot.updatedAt() == null ? now : alias + "." + q(snapshot.updatedAt());
  }

  private String scdId(String alias) {
    List<String> arguments = new ArrayList<>();
    snapshot.uniqueKey().forEach(key -> arguments.add(alias + "." + q(key)));
    arguments.add(updatedAt(alias));
    return hash(arguments);
  }

  /** dbt's snapshot_hash_arguments. */
  private static String hash(List<String> arguments) {
    StringJoiner joined = new StringJoiner(" || '|' || ", "md5(", ")");
    arguments.forEach(argument -> joined.add("coalesce(cast(" + argument + " as varchar), '')"));
    return joined.toString();
  }

  /**
   * The snapshot's time as the type of the table's dbt_valid_to: a timestamp strategy's versions
   * are times of its updated_at column's type.
   */
  private String nowAs(Schema tableSchema) {
    Types.NestedField validTo = tableSchema.findField(meta.validTo());
    if (validTo != null && validTo.type() instanceof Types.TimestampType timestamp) {
      return timestamp.shouldAdjustToUTC() ? now : "CAST(" + now + " AS TIMESTAMP)";
    }
    return now;
  }

  /** dbt's row_changed: a later updated_at, or a check column that differs. */
  private String rowChanged(List<String> sourceColumns, List<String> tableColumns) {
    if (snapshot.strategy() == Strategy.TIMESTAMP) {
      return "snapshotted." + q(meta.validFrom()) + " < source_rows." + q(snapshot.updatedAt());
    }
    List<String> checked = snapshot.allColumns() ? sourceColumns : snapshot.checkColumns();
    if (snapshot.allColumns() && !tableColumns.containsAll(sourceColumns)) {
      return "TRUE"; // dbt: a column was added, every row changed
    }
    StringJoiner any = new StringJoiner(" OR ");
    for (String column : checked) {
      String before = "snapshotted." + q(column);
      String after = "source_rows." + q(column);
      any.add(
          before
              + " != "
              + after
              + " OR ((("
              + before
              + ") IS NULL) AND NOT (("
              + after
              + ") IS NULL)) OR ((NOT ("
              + before
              + ") IS NULL) AND (("
              + after
              + ") IS NULL))");
    }
    return any.toString();
  }

  private String keyJoin(String left, String right) {
    StringJoiner join = new StringJoiner(" AND ");
    for (String key : snapshot.uniqueKey()) {
      join.add(left + "." + q(key) + " = " + right + "." + q(key));
    }
    return join.toString();
  }

  private static String q(String identifier) {
    return TableName.quote(identifier);
  }
}
