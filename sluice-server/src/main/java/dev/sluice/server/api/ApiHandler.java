package dev.sluice.server.api;

import dev.sluice.governance.Principal;
import io.javalin.http.Context;

/** An endpoint's work, given the request and the principal it was authenticated as. */
@FunctionalInterface
public interface ApiHandler {
  void handle(Context ctx, Principal principal) throws Exception;
}
