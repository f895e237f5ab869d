package dev.sluice.engine.spark;

import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TransientQueryException;
import java.util.Set;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.connect.client.RetriesExceeded;
import org.sparkproject.io.grpc.Status;
import org.sparkproject.io.grpc.StatusRuntimeException;

/**
 * Turns what the Spark Connect client raises into Sluice's typed exceptions, by Spark's error
 * condition ({@link SparkThrowable#getCondition()}) and gRPC's status code, never by the text of a
 * message.
 */
final class SparkErrors {
  /** Conditions of a file that could not be read: it may be there, or readable, on a retry. */
  private static final Set<String> FILE_CONDITIONS =
      Set.of("PATH_NOT_FOUND", "FAILED_READ_FILE", "CANNOT_READ_FILE_FOOTER");

  /** gRPC codes of a server that did not answer, or not in time: worth retrying. */
  private static final Set<Status.Code> UNREACHABLE =
      Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED);

  private SparkErrors() {}

  /**
   * The exception for a failed statement.
   *
   * @param remote the server: its address is named when it could not be reached, its token masked
   *     wherever the client's message might carry it
   * @param cancelled whether the session was cancelled
   */
  static QueryException translate(Throwable e, SparkRemote remote, boolean cancelled) {
    if (e instanceof Error error && !(e instanceof RetriesExceeded)) {
      throw error;
    }
    if (e instanceof QueryException query) {
      return query;
    }
    String message =
        remote.secrets().redact(e.getMessage() == null ? e.toString() : e.getMessage());
    if (cancelled || "OPERATION_CANCELED".equals(condition(e))) {
      return new QueryCancelledException("cancelled: " + message, e);
    }
    if (unreachable(e)) {
      return new TransientQueryException(
          "The Spark Connect server at " + remote + " did not answer: " + message, e);
    }
    String condition = condition(e);
    if (condition != null && FILE_CONDITIONS.contains(condition.split("\\.", 2)[0])) {
      return new TransientQueryException(message, e);
    }
    return new QueryException(message, e);
  }

  /** Whether {@code e}, or a cause of it, says the server could not be reached. */
  static boolean unreachable(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof StatusRuntimeException status
          && UNREACHABLE.contains(status.getStatus().getCode())) {
        return true;
      }
      // the client's retries, given up: each failed attempt is suppressed in it
      for (Throwable attempt : cause.getSuppressed()) {
        if (unreachable(attempt)) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  private static String condition(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null) {
        return spark.getCondition();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }
}
