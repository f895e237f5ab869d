package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dbt's {@code exceptions} in templates: {@code raise_compiler_error(message)} stops the rendering
 * with a problem at the line that raised it (the macro's file and line inside a macro), naming what
 * was being rendered; {@code warn(message)} logs a warning and goes on.
 */
public final class DbtExceptions {
  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.dbt");

  /** The one instance templates see. */
  static final DbtExceptions INSTANCE = new DbtExceptions();

  private DbtExceptions() {}

  /** Stops the rendering with the message as a problem; renders nothing. */
  public String raise_compiler_error(Object message) {
    return raise("Compilation error", message);
  }

  /** As dbt's {@code raise_not_implemented}: stops the rendering. */
  public String raise_not_implemented(Object message) {
    return raise("Not implemented", message);
  }

  /** Logs the message as a warning, naming where it was raised; renders nothing. */
  public String warn(Object message) {
    TemplateSession session = TemplateFunctions.session();
    int line = JinjavaInterpreter.getCurrent().getLineNumber();
    LOG.warn(
        "{}: {}",
        session == null ? "template" : session.currentLocation(line),
        String.valueOf(message));
    return "";
  }

  private static String raise(String kind, Object message) {
    TemplateSession session = TemplateFunctions.session();
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    if (session == null) {
      return "";
    }
    if (!session.stopped()) {
      session
          .problems()
          .add(
              session.currentLocation(interpreter.getLineNumber()),
              kind + " in " + session.describeCurrent() + ": " + message,
              "the project's template raised it: see its message");
      session.stop(interpreter.getErrors().size());
    }
    return "";
  }

  @Override
  public String toString() {
    return "exceptions";
  }
}
