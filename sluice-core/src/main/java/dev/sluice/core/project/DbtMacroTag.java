package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.lib.tag.MacroTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jinjava's {@code {% macro %}} tag, defining {@link DbtMacroFunction}s, with dbt's {@code none} as
 * a default value: {@code {% macro m(x=none) %}} (Jinjava, which reports a name whose value is null
 * as unknown, would refuse it).
 */
class DbtMacroTag extends MacroTag {
  private static final long serialVersionUID = 1L;

  /** What {@code none} is while a signature's defaults are read: then null. */
  private static final Object NONE = new Object();

  /** Python's None, as dbt's templates write it: {@code none}, and {@code None} (dbt_utils). */
  private static final java.util.List<String> NONE_NAMES = java.util.List.of("none", "None");

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    Map<String, Object> scope = interpreter.getContext().getScope();
    Map<String, Object> previous = new java.util.HashMap<>();
    for (String none : NONE_NAMES) {
      if (scope.containsKey(none)) {
        previous.put(none, scope.get(none));
      }
      scope.put(none, NONE);
    }
    Map<String, String> literals = DbtMacroSignatures.literals(tagNode.getHelpers());
    literals.forEach(scope::put);
    // a default that is an expression ({@code var('x') | int}): valued at each call, as in Jinja2
    Map<String, String> expressions = DbtMacroSignatures.expressions(tagNode.getHelpers());
    expressions.forEach(
        (name, expression) -> scope.put(name, new DbtMacroFunction.DefaultExpression(expression)));
    try {
      return super.interpret(tagNode, interpreter);
    } finally {
      literals.keySet().forEach(scope::remove);
      expressions.keySet().forEach(scope::remove);
      for (String none : NONE_NAMES) {
        if (previous.containsKey(none)) {
          scope.put(none, previous.get(none));
        } else {
          scope.remove(none);
        }
      }
    }
  }

  @Override
  @SuppressWarnings("NonApiType") // Jinjava's signature
  protected MacroFunction constructMacroFunction(
      TagNode tagNode,
      JinjavaInterpreter interpreter,
      String name,
      LinkedHashMap<String, Object> argumentDefaults) {
    LinkedHashMap<String, Object> defaults = new LinkedHashMap<>();
    java.util.Set<String> optional = new java.util.HashSet<>();
    argumentDefaults.forEach(
        (key, value) -> {
          // an argument without a default that a call leaves out is Jinja2's undefined
          defaults.put(key, value == NONE ? null : value == null ? new DbtUndefined(key) : value);
          if (value != null) {
            optional.add(key);
          }
        });
    Object file = interpreter.getContext().get(DbtMacroFunction.FILE_KEY);
    return new DbtMacroFunction(
        tagNode.getChildren(),
        name,
        defaults,
        interpreter.getContext(),
        interpreter.getLineNumber(),
        interpreter.getPosition(),
        file == null ? "the template" : file.toString(),
        optional);
  }
}
