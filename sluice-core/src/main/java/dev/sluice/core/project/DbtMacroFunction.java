package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.tree.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A macro of a template, as dbt calls it: a call that {@code return()}s gives that value (a list, a
 * map, a boolean, ...) instead of its text, and stops there; an error inside it is reported at the
 * macro's file and line; it knows the file that defines it.
 */
final class DbtMacroFunction extends MacroFunction {
  /** The context key that names the file whose macros are being defined. */
  static final String FILE_KEY = "__sluice_macro_file__";

  /** One call of a macro being rendered. */
  static final class Frame {
    private final String macro;
    private final String file;
    private final int callerLine;
    private boolean returned;
    private Object value;

    Frame(String macro, String file, int callerLine) {
      this.macro = macro;
      this.file = file;
      this.callerLine = callerLine;
    }

    /** The line of the call, in the template or macro that called it. */
    int callerLine() {
      return callerLine;
    }

    String macro() {
      return macro;
    }

    String file() {
      return file;
    }

    boolean returned() {
      return returned;
    }

    /** dbt's {@code return(value)}: the first return of a call wins, as it ends the call. */
    void returnValue(Object returnedValue) {
      if (!returned) {
        returned = true;
        value = returnedValue;
      }
    }
  }

  /**
   * A default value that is an expression with a call or a filter ({@code batch_size =
   * var('insert_batch_size') | int}): Jinja2 evaluates it at each call that leaves the argument
   * out, in the macro's scope (the arguments before it are known), not when the macro is defined.
   */
  record DefaultExpression(String expression) {}

  private final String file;
  private final java.util.Set<String> optionalArguments;

  @SuppressWarnings("NonApiType") // Jinjava's MacroFunction takes a LinkedHashMap
  DbtMacroFunction(
      List<Node> content,
      String name,
      LinkedHashMap<String, Object> argumentDefaults,
      Context localContextScope,
      int lineNumber,
      int startPosition,
      String file,
      java.util.Set<String> optionalArguments) {
    super(content, name, argumentDefaults, false, localContextScope, lineNumber, startPosition);
    this.file = file;
    this.optionalArguments = java.util.Set.copyOf(optionalArguments);
  }

  private DbtMacroFunction(DbtMacroFunction source, String name) {
    super(source, name);
    this.file = source.file;
    this.optionalArguments = source.optionalArguments;
  }

  /** The arguments that have a default value (none too). */
  java.util.Set<String> optionalArguments() {
    return optionalArguments;
  }

  /** The file that defines the macro, relative to the project. */
  String file() {
    return file;
  }

  @Override
  public MacroFunction cloneWithNewName(String name) {
    return new DbtMacroFunction(this, name);
  }

  @Override
  public Object doEvaluate(
      Map<String, Object> argMap, Map<String, Object> kwargMap, List<Object> varArgs) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    TemplateSession session =
        (TemplateSession) interpreter.getContext().get(TemplateFunctions.SESSION_KEY);
    if (session == null) {
      return super.doEvaluate(argMap, kwargMap, varArgs);
    }
    Frame caller = session.frame();
    if (session.stopped() || (caller != null && caller.returned())) {
      return ""; // the calling macro has returned: what follows its return() does not run
    }
    int line = interpreter.getLineNumber();
    // the call's node: a call block's tag leaves the interpreter's line behind
    int callLine = session.takeCallLine();
    Frame frame = new Frame(getName(), file, callLine > 0 ? callLine : line);
    int errorsBefore = interpreter.getErrors().size();
    session.frames().push(frame);
    try {
      Object text = super.doEvaluate(argMap, kwargMap, varArgs);
      return frame.returned() ? frame.value : text;
    } catch (RuntimeException e) {
      if (frame.returned() && !session.stopped()) {
        return frame.value; // TemplateGuard ended the call's rendering after its return()
      }
      session.attribute(e, frame); // an error that ends the rendering (an unknown name)
      throw e;
    } finally {
      session.frames().pop();
      List<TemplateError> errors = interpreter.getErrors();
      for (int i = errorsBefore; i < errors.size(); i++) {
        session.attribute(errors.get(i), frame);
      }
      interpreter.setLineNumber(line);
    }
  }

  @Override
  public String getEvaluationResult(
      Map<String, Object> argMap,
      Map<String, Object> kwargMap,
      List<Object> varArgs,
      JinjavaInterpreter interpreter) {
    if (argMap.values().stream().noneMatch(DefaultExpression.class::isInstance)) {
      return super.getEvaluationResult(argMap, kwargMap, varArgs, interpreter);
    }
    Map<String, Object> arguments = new LinkedHashMap<>(argMap);
    for (Map.Entry<String, Object> argument : arguments.entrySet()) {
      if (argument.getValue() instanceof DefaultExpression defaultValue) {
        argument.setValue(
            interpreter.resolveELExpression(defaultValue.expression(), definitionLineNumber));
      }
      interpreter.getContext().put(argument.getKey(), argument.getValue());
    }
    return super.getEvaluationResult(arguments, kwargMap, varArgs, interpreter);
  }

  @Override
  public boolean equals(Object other) {
    return super.equals(other);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
