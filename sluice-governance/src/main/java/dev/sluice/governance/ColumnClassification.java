package dev.sluice.governance;

import dev.sluice.api.TableName;
import java.util.Set;

/** The classification tags of a table's columns, which masks by tag apply to. */
@FunctionalInterface
public interface ColumnClassification {
  /** No column carries a tag. */
  ColumnClassification NONE = (table, column) -> Set.of();

  /** The tags of a column (declared or inherited), e.g. {@code pii}, {@code pii.email}. */
  Set<String> tags(TableName table, String column);

  /**
   * Whether a mask's tag covers a column's tags: the same tag, or a parent of one ({@code pii}
   * covers {@code pii.email}).
   */
  static boolean covers(String maskTag, Set<String> columnTags) {
    for (String tag : columnTags) {
      if (tag.equals(maskTag) || tag.startsWith(maskTag + ".")) {
        return true;
      }
    }
    return false;
  }
}
