package dev.sluice.core.run;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.Severity;
import dev.sluice.core.state.CheckStatus;

/**
 * The result of one check on one table version.
 *
 * @param failingRows how many rows failed (0 when passed)
 * @param sample a few failing rows, or null
 * @param error the reason the check could not run (e.g. a SQL error), or null
 * @param note what the result means, for people (an anomaly check's value, band and history), or
 *     null
 * @param sql the query that selected the failing rows, as it ran (dbt's {@code compiled_code} of a
 *     test), or null
 */
public record CheckOutcome(
    CheckDef check, long failingRows, QueryResult sample, String error, String note, String sql) {
  /** A result without the query it ran. */
  public CheckOutcome(
      CheckDef check, long failingRows, QueryResult sample, String error, String note) {
    this(check, failingRows, sample, error, note, null);
  }

  /** This result, with the query that selected the failing rows. */
  CheckOutcome withSql(String query) {
    return new CheckOutcome(check, failingRows, sample, error, note, query);
  }

  /** A result without a note. */
  public CheckOutcome(CheckDef check, long failingRows, QueryResult sample, String error) {
    this(check, failingRows, sample, error, null);
  }

  /** A result that ran, with a note on what it means. */
  static CheckOutcome withNote(CheckDef check, long failingRows, String note) {
    return new CheckOutcome(check, failingRows, null, null, note);
  }

  public boolean passed() {
    return error == null && failingRows == 0;
  }

  /** Whether this outcome stops publishing: an error-severity check that failed or broke. */
  public boolean blocks() {
    return !passed() && check.severity() == Severity.ERROR;
  }

  public CheckStatus status() {
    if (error != null) {
      return CheckStatus.ERROR;
    }
    return failingRows == 0 ? CheckStatus.PASSED : CheckStatus.FAILED;
  }
}
