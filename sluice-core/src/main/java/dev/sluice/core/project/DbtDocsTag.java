package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * dbt's {@code {% docs name %} ... {% enddocs %}} block, which Jinjava does not have: it renders
 * nothing where it stands. The loader finds the blocks and their contents ({@link
 * SqlRenderer#docsBlocks}); {@code doc('name')} in a description gives a block's contents.
 */
final class DbtDocsTag implements Tag {
  private static final long serialVersionUID = 1L;

  @Override
  public String getName() {
    return "docs";
  }

  @Override
  public String getEndTagName() {
    return "enddocs";
  }

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    return "";
  }
}
