package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.lineage.ColumnClassification;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Suggestions;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.lake.Lake;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The right to erasure: removes every row of a data subject from the warehouse, so that no reader
 * finds it again, not even by time travel.
 *
 * <p>The subject's identifier columns are those tagged {@code subject.<key>} ({@code
 * classification: [subject.customer_id]}), declared or inherited along column lineage (a copied or
 * renamed identifier holds it too). Erasing {@code customer_id=42}:
 *
 * <ol>
 *   <li>deletes, in one commit per table, the rows whose identifier columns hold 42, in every
 *       source, seed and model table that has such a column;
 *   <li>deletes the rejected records ({@code <table>__rejected}) of those source tables whose raw
 *       text holds 42 as a whole field: they could not be read into columns, so they are matched by
 *       value, and may include records of others that hold the same value in another field;
 *   <li>rebuilds in full the models downstream of those tables that hold no identifier column
 *       (aggregates such as revenue by country, which still count the subject);
 *   <li>expires every snapshot before those commits and deletes the files only they referenced;
 *   <li>writes the report to the audit log, with the subject's value as a SHA-256 digest only.
 * </ol>
 *
 * Views need nothing: they read their inputs. A seed's rows come back from its file in git at the
 * next run, so a seed holding the subject is reported, to be fixed in its file.
 */
public final class Erasure {
  /** The tag prefix of a subject's identifier columns. */
  public static final String SUBJECT_TAG = "subject";

  private final Workspace workspace;
  private final Clock clock;

  public Erasure(Workspace workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** What a dry run reports: the tables and the rows that an erasure would remove. */
  public ErasureReport plan(ErasureSubject subject) {
    return run(subject, true, RunListener.NONE);
  }

  /** Erases the subject; {@code listener} hears the rebuild of downstream aggregates. */
  public ErasureReport erase(ErasureSubject subject, RunListener listener) {
    return run(subject, false, listener);
  }

  private ErasureReport run(ErasureSubject subject, boolean dryRun, RunListener listener) {
    requireNonNull(subject, "subject is null");
    Project project = workspace.project();
    Lake lake = workspace.lake();
    ColumnTags tags = ColumnTags.of(project);
    Map<TableName, Holder> holders = holders(project, tags, subject);
    List<ErasureReport.TableErasure> tables = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Set<String> erasedAssets = new LinkedHashSet<>();
    try (EngineSession session = workspace.engine().openSession()) {
      RowDeletion deletion = new RowDeletion(lake.readBy(session), session);
      for (Holder holder : holders.values()) {
        Asset asset = holder.asset();
        if (asset instanceof Asset.Model model
            && model.definition().materialization() == Materialization.VIEW) {
          notes.add(holder.table() + " is a view: it reads its inputs, nothing to delete");
          continue;
        }
        if (lake.findTable(holder.table()).isEmpty()) {
          notes.add(holder.table() + " has not been built: nothing to delete");
          continue;
        }
        erasedAssets.add(asset.name());
        if (asset instanceof Asset.Seed) {
          notes.add(
              holder.table()
                  + " is a seed: its rows come back from its file at the next run; remove the"
                  + " subject's rows from "
                  + asset.map(m -> "", seed -> seed.csvFile().toString(), t -> ""));
        }
        RowDeletion.Rows rows = subjectRows(session, lake, holder, subject);
        tables.add(
            erase(
                deletion,
                holder.table(),
                ErasureReport.Reason.HOLDS_SUBJECT,
                holder.columns(),
                rows,
                subject,
                dryRun));
        if (asset instanceof Asset.SourceTable) {
          TableName rejected =
              new TableName(holder.table().zone(), holder.table().name() + "__rejected");
          if (lake.findTable(rejected).isPresent()) {
            tables.add(
                erase(
                    deletion,
                    rejected,
                    ErasureReport.Reason.REJECTED_RECORDS,
                    List.of("_raw_record"),
                    rejectedRows(session, subject),
                    subject,
                    dryRun));
          }
        }
      }
    }
    List<String> rebuild = aggregatesToRebuild(project, erasedAssets, holders.keySet());
    RunResult rebuilt = null;
    if (!dryRun && !rebuild.isEmpty()) {
      rebuilt =
          new Runner(workspace).run(new RunOptions(rebuild, List.of(), true), listener, "erase");
      for (String model : rebuild) {
        TableName table = project.asset(model).tableName();
        // the rebuild replaced the table; the snapshots before it still hold the subject
        var expired = lake.expireSnapshots(table, clock.instant());
        tables.add(
            new ErasureReport.TableErasure(
                table,
                ErasureReport.Reason.REBUILT,
                List.of(),
                0,
                null,
                expired.snapshots(),
                expired.deletedFiles().size()));
      }
    } else {
      for (String model : rebuild) {
        tables.add(
            new ErasureReport.TableErasure(
                project.asset(model).tableName(),
                ErasureReport.Reason.REBUILT,
                List.of(),
                0,
                null,
                0,
                0));
      }
    }
    ErasureReport report =
        new ErasureReport(
            subject,
            dryRun,
            tables,
            notes,
            rebuilt == null ? null : rebuilt.runId(),
            rebuilt == null || rebuilt.succeeded());
    if (!dryRun) {
      audit(report);
    }
    return report;
  }

  private static ErasureReport.TableErasure erase(
      RowDeletion deletion,
      TableName table,
      ErasureReport.Reason reason,
      List<String> columns,
      RowDeletion.Rows rows,
      ErasureSubject subject,
      boolean dryRun) {
    if (dryRun) {
      return new ErasureReport.TableErasure(
          table, reason, columns, deletion.count(table, rows), null, 0, 0);
    }
    RowDeletion.Deleted deleted =
        deletion.delete(
            table,
            rows,
            "sluice-erasure",
            Map.of("sluice.erasure", subject.key() + " " + subject.digest()));
    return new ErasureReport.TableErasure(
        table,
        reason,
        columns,
        deleted.rows(),
        deleted.snapshotId(),
        deleted.snapshotsExpired(),
        deleted.filesDeleted());
  }

  /** A table holding the subject's identifier, and which of its columns do. */
  private record Holder(TableName table, Asset asset, List<String> columns) {}

  /**
   * Every table with a column tagged {@code subject.<key>}, in graph order.
   *
   * @throws InvalidInputException when no column is, naming the subject keys that are tagged
   */
  private static Map<TableName, Holder> holders(
      Project project, ColumnTags tags, ErasureSubject subject) {
    Map<TableName, Holder> holders = new LinkedHashMap<>();
    for (ColumnClassification column : tags.all()) {
      if (!column.tags().contains(subject.tag())) {
        continue;
      }
      TableName table = column.column().table();
      Optional<Asset> asset = project.findAsset(column.asset());
      if (asset.isEmpty()) {
        continue;
      }
      holders
          .computeIfAbsent(table, t -> new Holder(t, asset.get(), new ArrayList<>()))
          .columns()
          .add(column.column().column());
    }
    if (holders.isEmpty()) {
      Set<String> keys = new TreeSet<>();
      for (ColumnClassification column : tags.withTag(SUBJECT_TAG)) {
        for (String tag : column.tags()) {
          if (tag.startsWith(SUBJECT_TAG + ".")) {
            keys.add(tag.substring(SUBJECT_TAG.length() + 1));
          }
        }
      }
      String hint;
      Optional<String> closest = Suggestions.closest(subject.key(), List.copyOf(keys));
      if (closest.isPresent()) {
        hint = "did you mean " + closest.get() + "?";
      } else if (keys.isEmpty()) {
        hint =
            "tag the columns that identify a data subject, e.g. classification:"
                + " [subject."
                + subject.key()
                + "] on the column in its source or model YAML";
      } else {
        hint = "the tagged subjects are: " + String.join(", ", keys);
      }
      throw new InvalidInputException(
          "No column is tagged " + subject.tag() + ", so no table holds the subject; " + hint);
    }
    return holders;
  }

  /** The rows whose identifier columns hold the subject's value. */
  private static RowDeletion.Rows subjectRows(
      EngineSession session, Lake lake, Holder holder, ErasureSubject subject) {
    Schema schema = lake.loadTable(holder.table()).schema();
    List<String> predicates = new ArrayList<>();
    Expression filter = Expressions.alwaysFalse();
    for (String name : holder.columns()) {
      Types.NestedField field = schema.caseInsensitiveFindField(name);
      if (field == null) {
        continue;
      }
      Optional<Object> value = typed(field.type(), subject.value());
      if (value.isEmpty()) {
        // an identifier column of another type cannot hold the value
        continue;
      }
      filter = Expressions.or(filter, Expressions.equal(field.name(), value.get()));
      predicates.add(
          "CAST("
              + TableName.quote(field.name())
              + " AS STRING) = "
              + session.stringLiteral(String.valueOf(value.get())));
    }
    if (predicates.isEmpty()) {
      return new RowDeletion.Rows(Expressions.alwaysFalse(), "false");
    }
    return new RowDeletion.Rows(filter, "(" + String.join(" OR ", predicates) + ")");
  }

  /**
   * The value as the column's type, or empty when the column's type cannot hold it.
   *
   * @throws InvalidInputException for an identifier column whose type erasure cannot match
   */
  private static Optional<Object> typed(Type type, String value) {
    try {
      return switch (type.typeId()) {
        case STRING -> Optional.of(value);
        case INTEGER -> Optional.of(Integer.parseInt(value.strip()));
        case LONG -> Optional.of(Long.parseLong(value.strip()));
        case UUID -> Optional.of(java.util.UUID.fromString(value.strip()));
        default ->
            throw new InvalidInputException(
                "A subject identifier column is of type "
                    + type
                    + ": erasure matches identifiers held in text, integer or uuid columns; tag"
                    + " a column of one of those types");
      };
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The rejected records whose raw text holds the value as a whole field (bounded by the start or
   * end of the text or by a delimiter of CSV and JSON: commas, semicolons, tabs, pipes, quotes,
   * colons, braces, brackets, spaces). A regular expression that DuckDB (RE2) and Spark (Java) read
   * alike ({@code \z}, not {@code $}, which Java lets match before a final line break), with the
   * value's punctuation escaped, matched by {@code regexp_extract}, which both have.
   */
  private static RowDeletion.Rows rejectedRows(EngineSession session, ErasureSubject subject) {
    String delimiter = "[,;|\\t\"{}\\[\\]: ]";
    String pattern =
        "(^|" + delimiter + ")" + regexLiteral(subject.value().strip()) + "(" + delimiter + "|\\z)";
    return new RowDeletion.Rows(
        Expressions.alwaysTrue(),
        "regexp_extract(\"_raw_record\", " + session.stringLiteral(pattern) + ", 0) <> ''");
  }

  /**
   * The text as a regular expression matching exactly it, in RE2's and Java's syntax alike: each
   * ASCII punctuation character but {@code _} escaped with a backslash (both read {@code \.} as a
   * dot; RE2 refuses an escaped letter, digit or {@code _}), every other character as it is.
   */
  static String regexLiteral(String text) {
    StringBuilder regex = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (c < 0x80 && c != '_' && !Character.isLetterOrDigit(c) && c > ' ' && c != 0x7f) {
                regex.append('\\');
              }
              regex.appendCodePoint(c);
            });
    return regex.toString();
  }

  /**
   * The models downstream of the erased assets that hold no identifier column: they aggregate the
   * subject's rows and are rebuilt from the erased inputs. Views are left alone.
   */
  private static List<String> aggregatesToRebuild(
      Project project, Set<String> erased, Set<TableName> holding) {
    Set<String> downstream = new LinkedHashSet<>();
    for (String asset : erased) {
      downstream.addAll(project.graph().allDownstream(asset));
    }
    List<String> rebuild = new ArrayList<>();
    for (String name : project.graph().topologicalOrder()) {
      if (!downstream.contains(name) || erased.contains(name)) {
        continue;
      }
      Asset asset = project.asset(name);
      if (holding.contains(asset.tableName())) {
        continue;
      }
      if (asset instanceof Asset.Model model && isTable(model.definition())) {
        rebuild.add(name);
      }
    }
    return rebuild;
  }

  private static boolean isTable(ModelDef model) {
    return model.materialization() != Materialization.VIEW && model.materialization().built();
  }

  private void audit(ErasureReport report) {
    var audit = workspace.audit();
    var entry =
        audit
            .entry(AuditAction.ERASURE)
            .detail("subject_key", report.subject().key())
            .detail("subject_sha256", report.subject().digest())
            .detail("rows_removed", report.rowsRemoved())
            .detail("snapshots_expired", report.snapshotsExpired());
    for (ErasureReport.TableErasure table : report.tables()) {
      entry.table(table.table().toString());
      entry.detail(
          table.table().toString(),
          table.reason().name().toLowerCase(Locale.ROOT)
              + ": "
              + table.rows()
              + " rows, "
              + table.snapshotsExpired()
              + " snapshots expired");
    }
    audit.record(entry.build());
  }
}
