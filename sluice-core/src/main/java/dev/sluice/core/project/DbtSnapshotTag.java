package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/**
 * dbt's {@code {% snapshot name %} ... {% endsnapshot %}} block, which Jinjava does not have: it
 * renders its body, the snapshot's query. The loader finds the block's name ({@link
 * SqlRenderer#snapshotBlocks}), which is the snapshot's.
 */
final class DbtSnapshotTag implements Tag {
  private static final long serialVersionUID = 1L;

  @Override
  public String getName() {
    return "snapshot";
  }

  @Override
  public String getEndTagName() {
    return "endsnapshot";
  }

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    StringBuilder body = new StringBuilder();
    for (Node child : tagNode.getChildren()) {
      body.append(child.render(interpreter).getValue());
    }
    return body.toString();
  }
}
