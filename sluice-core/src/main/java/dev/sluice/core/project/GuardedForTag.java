package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * Jinjava's {@code {% for %}} tag, whose iterations count towards {@link TemplateGuard}'s budget: a
 * loop whose body renders nothing ({@code {% for i in range(10**9) %}{% endfor %}}) is stopped as a
 * runaway too.
 */
final class GuardedForTag extends ForTag {
  private static final long serialVersionUID = 1L;

  @Override
  public String renderForCollection(
      TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object collection) {
    Object value = interpreter.getContext().get(TemplateFunctions.SESSION_KEY);
    if (value instanceof TemplateSession session && collection instanceof Collection<?> items) {
      return super.renderForCollection(
          tagNode, interpreter, loopVars, new Counted(items, session, tagNode.getLineNumber()));
    }
    return super.renderForCollection(tagNode, interpreter, loopVars, collection);
  }

  /** A collection whose iteration spends the rendering's budget, one unit an item. */
  private static final class Counted extends AbstractCollection<Object> {
    private final Collection<?> items;
    private final TemplateSession session;
    private final int line;

    Counted(Collection<?> items, TemplateSession session, int line) {
      this.items = items;
      this.session = session;
      this.line = line;
    }

    @Override
    public Iterator<Object> iterator() {
      Iterator<?> iterator = items.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return iterator.hasNext();
        }

        @Override
        public Object next() {
          TemplateGuard.spend(session, JinjavaInterpreter.getCurrent(), line);
          return iterator.next();
        }
      };
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
