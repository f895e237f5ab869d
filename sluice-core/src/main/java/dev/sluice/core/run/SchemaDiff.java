package dev.sluice.core.run;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * How the columns of a load differ from its table's: columns added, columns the load no longer has,
 * and columns whose type changed. A type that the table's column already holds (an {@code int} into
 * a {@code long} column) is no change.
 *
 * @param added new columns, as {@code name type}
 * @param removed columns of the table the load lacks
 * @param retyped columns of another type, as {@code name: old → new}
 */
record SchemaDiff(List<String> added, List<String> removed, List<String> retyped) {
  SchemaDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    retyped = List.copyOf(retyped);
  }

  static SchemaDiff between(Schema table, Schema load) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> retyped = new ArrayList<>();
    for (Types.NestedField column : load.columns()) {
      Types.NestedField existing = table.findField(column.name());
      if (existing == null) {
        added.add(column.name() + " " + column.type());
      } else if (!holds(existing.type(), column.type())) {
        retyped.add(column.name() + ": " + existing.type() + " → " + column.type());
      }
    }
    for (Types.NestedField column : table.columns()) {
      if (load.findField(column.name()) == null) {
        removed.add(column.name());
      }
    }
    return new SchemaDiff(added, removed, retyped);
  }

  /**
   * Whether a column of type {@code existing} takes values of {@code incoming} without a change of
   * its type, as the lake writes them: widened, whole numbers into a decimal, anything into text (a
   * file of numbers loaded into a text column is no type change).
   */
  private static boolean holds(Type existing, Type incoming) {
    return existing.equals(incoming)
        || (incoming.isPrimitiveType()
            && existing.isPrimitiveType()
            && (TypeUtil.isPromotionAllowed(incoming, existing.asPrimitiveType())
                || existing.typeId() == Type.TypeID.STRING
                || (existing.typeId() == Type.TypeID.DECIMAL
                    && (incoming.typeId() == Type.TypeID.INTEGER
                        || incoming.typeId() == Type.TypeID.LONG))));
  }

  boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && retyped.isEmpty();
  }

  /** The difference in one line, e.g. {@code added discount decimal(10, 2); removed note}. */
  String describe() {
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add("added " + String.join(", ", added));
    }
    if (!removed.isEmpty()) {
      parts.add("removed " + String.join(", ", removed));
    }
    if (!retyped.isEmpty()) {
      parts.add("retyped " + String.join(", ", retyped));
    }
    return String.join("; ", parts);
  }
}
