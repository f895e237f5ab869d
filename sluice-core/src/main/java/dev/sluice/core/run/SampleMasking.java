package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.query.MaskFunctions;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.MaskExpressions;
import java.util.Optional;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * Masks the sample of failing rows a check keeps in its history, as {@code policies.yaml} says: a
 * column a mask covers (by column or by classification tag) is kept as that mask shows it to a
 * principal holding no role, and a classified column no mask covers is not kept at all ({@value
 * #WITHHELD}). The sample's columns are matched by name to the checked table's.
 */
final class SampleMasking {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SampleMasking.class);

  /** What a classified value that no mask covers is kept as. */
  static final String WITHHELD = "[classified]";

  private final AccessPolicy policy;

  SampleMasking(AccessPolicy policy) {
    this.policy = requireNonNull(policy, "policy is null");
  }

  /**
   * Up to {@code limit} rows of {@code failing}, a query of the rows of {@code table} that failed a
   * check, masked.
   */
  QueryResult sample(EngineSession session, TableName table, String failing, int limit) {
    Schema columns = session.describe(failing);
    StringJoiner masked = new StringJoiner(", ");
    StringJoiner withheld = new StringJoiner(", ");
    boolean anyMasked = false;
    for (Types.NestedField column : columns.columns()) {
      String quoted = TableName.quote(column.name());
      Optional<MaskDef> mask;
      boolean classified;
      try {
        mask = policy.storedMask(table, column.name());
        classified = !policy.classification().tags(table, column.name()).isEmpty();
      } catch (RuntimeException e) {
        // the tags come from the project's column lineage: when it cannot be derived, keep no value
        LOG.warn("Cannot tell how to mask {}.{}; its values are not kept", table, column.name(), e);
        mask = Optional.empty();
        classified = true;
      }
      if (mask.isPresent()) {
        masked.add(
            MaskExpressions.sql(
                    mask.get(),
                    column.name(),
                    column.type(),
                    MaskFunctions.in(session),
                    session::stringLiteral)
                + " AS "
                + quoted);
        withheld.add(withheld() + " AS " + quoted);
        anyMasked = true;
      } else if (classified) {
        masked.add(withheld() + " AS " + quoted);
        withheld.add(withheld() + " AS " + quoted);
        anyMasked = true;
      } else {
        masked.add(quoted);
        withheld.add(quoted);
      }
    }
    String rows = " FROM (" + failing + ") AS failing LIMIT " + limit;
    if (!anyMasked) {
      return session.query("SELECT *" + rows, limit);
    }
    try {
      return session.query("SELECT " + masked + rows, limit);
    } catch (QueryException e) {
      // a custom mask may read a column the failing rows do not have (a unique check returns its
      // key only): keep none of the masked values rather than lose the sample
      return session.query("SELECT " + withheld + rows, limit);
    }
  }

  private static String withheld() {
    return dev.sluice.api.sql.SqlLiterals.literal(WITHHELD);
  }
}
