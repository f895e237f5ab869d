package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.DoTag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * Jinja's {@code {% do expression %}}, whose value is dropped: a call that gives none ({@code
 * dict.update(...)}, a macro's {@code return(none)}) is fine, as in Jinja. Jinjava, which Sluice
 * tells to report a name that resolves to none, would report the whole expression; it is evaluated
 * inside a list, which is never none, so that only an unknown name inside it is reported.
 */
final class DbtDoTag extends DoTag {
  private static final long serialVersionUID = 1L;

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    String expression = tagNode.getHelpers().strip();
    if (expression.isEmpty() || !tagNode.getChildren().isEmpty()) {
      return super.interpret(tagNode, interpreter);
    }
    interpreter.resolveELExpression("[" + expression + "]", tagNode.getLineNumber());
    return "";
  }
}
