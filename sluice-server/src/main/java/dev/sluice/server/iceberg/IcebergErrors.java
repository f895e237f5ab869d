package dev.sluice.server.iceberg;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.server.api.ApiException;
import dev.sluice.server.auth.AuthenticationException;
import io.javalin.http.Context;
import java.util.UUID;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.ServiceFailureException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg REST catalog's one place where failures become HTTP statuses, in the Iceberg REST
 * API's error format ({@code {"error": {"message", "type", "code"}}}), so that an Iceberg client
 * raises the matching exception (a 403 becomes {@link ForbiddenException} with the message). No
 * stack trace is ever sent; an internal error sends only an id to find it in the server's log.
 */
final class IcebergErrors {
  private static final Logger log = LoggerFactory.getLogger(IcebergErrors.class);

  private IcebergErrors() {}

  /** Answers a failure with its status and Iceberg error body. */
  static void respond(Context ctx, Exception failure) {
    int status;
    String type;
    String message = failure.getMessage();
    if (failure instanceof AuthenticationException) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"sluice\"");
      status = 401;
      type = NotAuthorizedException.class.getSimpleName();
      message =
          message
              + "; give the Iceberg client the property token=TOKEN ('sluice token create"
              + " PRINCIPAL')";
    } else if (failure instanceof ApiException api) {
      status = api.status();
      type =
          status == 403
              ? ForbiddenException.class.getSimpleName()
              : status == 404
                  ? NoSuchTableException.class.getSimpleName()
                  : BadRequestException.class.getSimpleName();
    } else if (failure instanceof AccessDeniedException || failure instanceof ForbiddenException) {
      status = 403;
      type = ForbiddenException.class.getSimpleName();
    } else if (failure instanceof NoSuchNamespaceException) {
      status = 404;
      type = NoSuchNamespaceException.class.getSimpleName();
    } else if (failure instanceof NoSuchTableException
        || failure instanceof NoSuchIcebergTableException) {
      status = 404;
      type = NoSuchTableException.class.getSimpleName();
    } else if (failure instanceof AlreadyExistsException
        || failure instanceof NamespaceNotEmptyException
        || failure instanceof CommitFailedException) {
      status = 409;
      type = failure.getClass().getSimpleName();
    } else if (failure instanceof UnsupportedOperationException) {
      status = 406;
      type = UnsupportedOperationException.class.getSimpleName();
    } else if (failure instanceof InvalidInputException
        || failure instanceof IllegalArgumentException
        || failure instanceof ValidationException
        || failure instanceof BadRequestException) {
      status = 400;
      type = BadRequestException.class.getSimpleName();
    } else if (failure instanceof ProjectException) {
      status = 503;
      type = ServiceFailureException.class.getSimpleName();
      message = message + "; fix the project files ('sluice validate' lists every problem)";
    } else if (failure instanceof CommitStateUnknownException) {
      status = 500;
      type = CommitStateUnknownException.class.getSimpleName();
    } else {
      String id = UUID.randomUUID().toString();
      log.error("Internal error {} answering {} {}", id, ctx.method(), ctx.path(), failure);
      status = 500;
      type = ServiceFailureException.class.getSimpleName();
      message = "Internal error " + id + ": this is a bug in Sluice; the server's log has it";
    }
    ErrorResponse error =
        ErrorResponse.builder()
            .responseCode(status)
            .withType(type)
            .withMessage(message == null ? type : message)
            .build();
    ctx.status(status).contentType("application/json").result(IcebergJson.write(error));
  }
}
