package dev.sluice.core.project;

import com.hubspot.jinjava.el.JinjavaNodePreProcessor;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.tree.Node;

/**
 * Runs before Jinjava renders each template node: it ends a macro call's rendering after its {@code
 * return()}, ends a stopped rendering ({@code exceptions.raise_compiler_error}), and stops a
 * runaway one (a loop or a recursion that renders more than {@link #NODE_BUDGET} nodes) with a
 * problem naming where it was.
 */
final class TemplateGuard extends JinjavaNodePreProcessor {
  /**
   * The template nodes (and loop iterations) one rendering may render. A model of a thousand
   * columns through a few macros renders some 100,000; Jinjava renders about a million a second
   * here, so a runaway rendering stops within seconds.
   */
  static final long NODE_BUDGET = 2_000_000;

  /** Ends the rendering of a macro call or of the whole template; never reported itself. */
  static final class Ended extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Ended() {
      super("rendering ended", null, false, false);
    }
  }

  @Override
  public void accept(Node node, JinjavaInterpreter interpreter) {
    super.accept(node, interpreter);
    Object value = interpreter.getContext().get(TemplateFunctions.SESSION_KEY);
    if (!(value instanceof TemplateSession session)) {
      return;
    }
    if (session.stopped()) {
      throw new Ended();
    }
    session.nodeAt(node.getLineNumber());
    DbtMacroFunction.Frame frame = session.frame();
    if (frame != null && frame.returned()) {
      throw new Ended();
    }
    spend(session, interpreter, node.getLineNumber());
  }

  /**
   * Counts one unit of rendering work (a node, a loop's iteration); past the budget the rendering
   * is stopped with a problem at the line.
   *
   * @throws Ended when the budget is spent
   */
  static void spend(TemplateSession session, JinjavaInterpreter interpreter, int line) {
    if (session.countNode() > NODE_BUDGET) {
      session
          .problems()
          .add(
              session.currentLocation(line),
              "The template renders more than "
                  + NODE_BUDGET
                  + " template nodes (in "
                  + session.describeCurrent()
                  + "): a runaway loop or recursion?",
              "check the loop's range or the macro's condition to stop recursing");
      session.stop(interpreter.getErrors().size());
      throw new Ended();
    }
  }
}
