package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.tree.TagNode;
import java.util.LinkedHashMap;

/**
 * dbt's {@code {% test name(model, column_name, ...) %} ... {% endtest %}}, which Jinjava does not
 * have: a generic test is the macro {@code test_<name>}, as dbt defines it, called with the model's
 * relation, the column and the test's arguments ({@link DbtTests}).
 */
final class DbtTestTag extends DbtMacroTag {
  private static final long serialVersionUID = 1L;

  /** The prefix of the macro a {@code {% test %}} block defines. */
  static final String PREFIX = "test_";

  @Override
  public String getName() {
    return "test";
  }

  @Override
  @SuppressWarnings("NonApiType") // Jinjava's signature
  protected MacroFunction constructMacroFunction(
      TagNode tagNode,
      JinjavaInterpreter interpreter,
      String name,
      LinkedHashMap<String, Object> argumentDefaults) {
    return super.constructMacroFunction(tagNode, interpreter, PREFIX + name, argumentDefaults);
  }
}
