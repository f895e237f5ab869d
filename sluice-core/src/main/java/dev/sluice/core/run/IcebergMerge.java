package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.core.project.ModelDef;
import dev.sluice.lake.EngineBranch;
import java.time.Instant;
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
 * merge never reads (it starts from main again).
 *
 * <p>Otherwise ({@link #applies} false) the merge is Sluice's {@link FileMerge}, the same
 * copy-on-write computed through the session.
 */
final class IcebergMerge {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IcebergMerge.class);

  private IcebergMerge() {}

  /**
   * Whether the step merges by the engine's {@code MERGE INTO}: the session reaches the lake's
   * catalog, the run publishes to main (not an environment), the table keeps its columns ({@code
   * schemaNote} null: no {@code on_schema_change} at work) and merges copy-on-write.
   */
  static boolean applies(StepContext context, ModelDef model, String schemaNote) {
    if (!context.session().mergesIntoLakeTables()
        || schemaNote != null
        || !context.targetBranch().equals("main")) {
      return false;
    }
    Table table = context.lake().loadTable(model.tableName());
    return table
            .properties()
            .getOrDefault(TableProperties.MERGE_MODE, TableProperties.MERGE_MODE_DEFAULT)
            .equals("copy-on-write")
        && table.spec().isUnpartitioned();
  }

  static StepResult run(
      StepContext context, ModelDef model, String newRows, long rows, Instant started) {
    TableName target = model.tableName();
    EngineBranch branch =
        EngineBranch.start(
            context.lake(), target, context.auditBranch() + "-merge", context.targetBranch());
    StepResult result;
    try {
      context.session().mergeIntoLakeTable(target, branch.name(), newRows, model.uniqueKey());
      EngineBranch.Changes changes = branch.changes();
      AuditedWrite.Outcome outcome =
          ModelStep.auditedWrite(context, model)
              .commitMerge(
                  target,
                  changes,
                  ModelStep.summary(context, model),
                  model.allChecks(),
                  context.auditBranch());
      result =
          ModelStep.result(
              context,
              model,
              outcome,
              started,
              ModelStep.mergeDetail(
                  model, rows, " with Iceberg's MERGE INTO", changes.rewrite().removed().size()));
    } catch (RuntimeException e) {
      try {
        branch.drop();
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
