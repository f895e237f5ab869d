package dev.sluice.flight;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.QueryException;
import dev.sluice.server.auth.AuthenticationException;
import java.util.UUID;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures as Flight statuses, in one place, with the message that says what and how to fix; a
 * client (the JDBC driver) shows the status and message. A bug answers INTERNAL with only an id,
 * which the server's log has with the details; no status carries a stack trace.
 */
final class FlightErrors {
  private static final Logger log = LoggerFactory.getLogger(FlightErrors.class);

  private FlightErrors() {}

  static FlightRuntimeException toFlight(RuntimeException failure) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    if (failure instanceof AuthenticationException) {
      return CallStatus.UNAUTHENTICATED.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof AccessDeniedException) {
      return CallStatus.UNAUTHORIZED.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof InvalidInputException
        || failure instanceof QueryException
        || failure instanceof DataException) {
      return CallStatus.INVALID_ARGUMENT.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof ProjectException) {
      return CallStatus.UNAVAILABLE
          .withDescription(
              "The project's files do not load, so nothing is served until they are fixed: "
                  + failure.getMessage())
          .toRuntimeException();
    }
    String id = UUID.randomUUID().toString();
    log.error("Flight SQL call failed (error id {})", id, failure);
    return CallStatus.INTERNAL
        .withDescription("Internal error " + id + ": the server's log has the details")
        .toRuntimeException();
  }
}
