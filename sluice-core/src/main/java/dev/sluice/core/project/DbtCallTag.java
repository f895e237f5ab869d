package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.CallTag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * Jinja's {@code {% call macro(...) %} ... {% endcall %}}, which notes the tag's line for the macro
 * it calls: Jinjava renders the call as a template of its own, whose line is 1, so that a problem
 * in the called macro ({@code statement}'s query) would name line 1 of the caller's file.
 */
final class DbtCallTag extends CallTag {
  private static final long serialVersionUID = 1L;

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    if (interpreter.getContext().get(TemplateFunctions.SESSION_KEY)
        instanceof TemplateSession session) {
      session.callAt(tagNode.getLineNumber());
    }
    return super.interpret(tagNode, interpreter);
  }
}
