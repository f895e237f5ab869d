package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.core.project.ModelDef;
import dev.sluice.lake.EngineBranch;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.SchemaEvolution;
import java.time.Instant;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;

/**
 * An incremental model's merge on its {@code unique_key} by the engine's own Iceberg {@code MERGE
 * INTO} (Spark, when its sessions reach the lake's catalog: {@link
 * dev.sluice.api.engine.EngineSession#mergesIntoLakeTables()}), copy-on-write. The engine merges
 * into a branch of the step's own ({@link EngineBranch}, started at main's head), and the step's
 * write takes the files the engine removed and added into one commit of Sluice's on the audit
 * branch, with the step's snapshot properties; the checks run there and main is fast-forwarded, as
 * for every write. So main gets one snapshot per step, carrying the run and the load state, and a
 * step killed after the engine's commit left only the engine's branch, which the resumed step's
 * merge never reads (it starts from main again) and which the resume removes ({@link
 * AuditBranches}).
 *
 * <p>When the model's columns changed ({@code on_schema_change}), the table's new columns are
 * committed first ({@link SchemaEvolution}: the engine writes with the table's schema), the engine
 * merges rows of the table's columns (NULL for those the new rows lack), and the old columns are
 * made current again when the step does not publish.
 *
 * <p>Otherwise ({@link #applies} false) the merge is Sluice's {@link FileMerge}, the same
 * copy-on-write computed through the session.
 */
final class IcebergMerge {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IcebergMerge.class);

  private IcebergMerge() {}

  /**
   * Whether the step merges by the engine's {@code MERGE INTO}: the session reaches the lake's
   * catalog, the run publishes to main, the table merges copy-on-write (partitioned or not: the
   * engine writes each rewritten file into its partition of the table's spec, and Sluice commits
   * the files as the engine described them), and the rows already in the table read as they are
   * after its columns change ({@link SchemaEvolution#keepsRowsInPlace}: a column whose type changes
   * otherwise is rewritten whole, by {@link FileMerge}'s path). A run into an environment ({@code
   * sluice run --env}) rebuilds incremental models in full, so never merges; were it to, a change
   * of columns must not reach main's readers, and a schema is the table's, not a branch's.
   *
   * @param incoming the columns of the rows to merge, as {@code on_schema_change} shapes them
   */
  static boolean applies(
      StepContext context, ModelDef model, Schema incoming, SchemaChange change) {
    if (!context.session().mergesIntoLakeTables()
        || !context.targetBranch().equals(SnapshotRef.MAIN_BRANCH)) {
      return false;
    }
    Table table = context.lake().loadTable(model.tableName());
    return table
            .properties()
            .getOrDefault(TableProperties.MERGE_MODE, TableProperties.MERGE_MODE_DEFAULT)
            .equals("copy-on-write")
        && SchemaEvolution.keepsRowsInPlace(table.schema(), incoming, change);
  }

  /**
   * Merges {@code newRows} (the query of the rows, with {@code incoming} columns) into the model's
   * table.
   *
   * @param note what {@code on_schema_change} did to the columns, for the step's detail, or null
   */
  static StepResult run(
      StepContext context,
      ModelDef model,
      String newRows,
      Schema incoming,
      SchemaChange change,
      String note,
      long rows,
      Instant started) {
    TableName target = model.tableName();
    SchemaEvolution columns =
        SchemaEvolution.commit(
            context.lake(),
            target,
            AuditedWrite.withDocs(incoming, StepContext.columnDocs(model.columns())),
            change);
    EngineBranch branch = null;
    StepResult result;
    try {
      branch =
          EngineBranch.start(
              context.lake(),
              target,
              AuditBranches.mergeOf(context.runId()),
              context.targetBranch());
      context
          .session()
          .mergeIntoLakeTable(
              target,
              branch.name(),
              AuditedWrite.projectOnto(columns.schema(), incoming, newRows),
              model.uniqueKey());
      EngineBranch.Changes changes = branch.changes();
      AuditedWrite.Outcome outcome =
          ModelStep.auditedWrite(context, model)
              .commitMerge(
                  target,
                  changes,
                  ModelStep.summary(context, model),
                  model.allChecks(),
                  context.auditBranch());
      if (!outcome.published()) {
        columns.restore();
      }
      String detail =
          ModelStep.mergeDetail(
              model, rows, " with Iceberg's MERGE INTO", changes.rewrite().removed().size());
      result =
          ModelStep.result(
              context, model, outcome, started, note == null ? detail : detail + "; " + note);
    } catch (RuntimeException e) {
      try {
        columns.restore();
        if (branch != null) {
          branch.drop();
        }
      } catch (RuntimeException dropFailure) {
        e.addSuppressed(dropFailure);
      }
      throw e;
    }
    try {
      branch.drop();
    } catch (RuntimeException e) {
      // published already: a branch left behind holds no data of main's
      LOG.warn("Could not remove branch {} of {} after its merge", branch.name(), target, e);
    }
    return result;
  }
}
