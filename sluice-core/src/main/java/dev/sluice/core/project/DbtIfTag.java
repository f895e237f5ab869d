package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.UnknownTokenException;
import com.hubspot.jinjava.lib.tag.IfTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja's {@code {% if %}} and {@code {% elif %}} in a dbt project: a condition that is a name
 * nothing defines ({@code {% if names %}}, or {@code {% if not names %}}) is Jinja2's undefined,
 * which is false, as dbt renders it (dbt-project-evaluator's {@code fct_root_models} sets a name
 * only under {@code {% if execute %}} and tests it outside). Elsewhere an unknown name stays a
 * problem at its line, and so does one inside a longer condition.
 */
final class DbtIfTag extends IfTag {
  private static final long serialVersionUID = 1L;

  private static final Pattern NAME_ONLY = Pattern.compile("(not\\s+)?([A-Za-z_][A-Za-z0-9_]*)");

  @Override
  public boolean isPositiveIfElseNode(TagNode tagNode, JinjavaInterpreter interpreter) {
    Matcher name = NAME_ONLY.matcher(tagNode.getHelpers().strip());
    if (!name.matches() || !dbt(interpreter)) {
      return super.isPositiveIfElseNode(tagNode, interpreter);
    }
    try {
      return super.isPositiveIfElseNode(tagNode, interpreter);
    } catch (UnknownTokenException e) {
      // Jinja2's undefined is false; 'not' of it is true
      return name.group(1) != null;
    }
  }

  private static boolean dbt(JinjavaInterpreter interpreter) {
    return interpreter.getContext().get(TemplateFunctions.SESSION_KEY)
            instanceof TemplateSession session
        && session.dbt();
  }
}
