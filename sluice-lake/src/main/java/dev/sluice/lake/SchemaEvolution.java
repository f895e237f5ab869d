package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * The change of a table's columns that lets rows of another schema be written into it ({@link
 * SchemaChange}): columns added, dropped ({@link SchemaChange#REPLACE}), or widened as Iceberg
 * promotes types. A {@link TableWrite} stages it in its own commit; an engine that commits to the
 * table itself (Spark's {@code MERGE INTO}, {@link EngineBranch}) needs it committed before it
 * writes ({@link #commit}), and {@link #restore}d when its write is not published. The schema is
 * the table's, not a branch's: readers of main see the new columns (NULL in the rows they already
 * had) from the commit on, as they do from a write's commit to its audit branch.
 */
public final class SchemaEvolution {
  private final Lake lake;
  private final TableName name;
  private final int previousSchemaId;
  private final Schema schema;

  private SchemaEvolution(Lake lake, TableName name, int previousSchemaId, Schema schema) {
    this.lake = lake;
    this.name = name;
    this.previousSchemaId = previousSchemaId;
    this.schema = schema;
  }

  /**
   * Commits the change of {@code name}'s columns that lets {@code desired} be written, if any.
   *
   * @throws DataException when a column's type changes incompatibly in a {@link SchemaChange#UNION}
   */
  public static SchemaEvolution commit(
      Lake lake, TableName name, Schema desired, SchemaChange mode) {
    requireNonNull(lake, "lake is null");
    requireNonNull(name, "name is null");
    Table table = lake.loadTable(name);
    int previous = table.schema().schemaId();
    Transaction transaction = table.newTransaction();
    Schema schema = apply(transaction, desired, mode);
    if (schema.schemaId() != previous) {
      transaction.commitTransaction();
    }
    return new SchemaEvolution(lake, name, previous, schema);
  }

  /** The table's schema after the change, with its field ids. */
  public Schema schema() {
    return schema;
  }

  /** Whether the table's columns changed. */
  public boolean changed() {
    return schema.schemaId() != previousSchemaId;
  }

  /** Makes the table's schema before the change current again (its columns as they were). */
  public void restore() {
    if (!changed()) {
      return;
    }
    TableOperations operations = ((HasTableOperations) lake.loadTable(name)).operations();
    TableMetadata base = operations.refresh();
    if (base.currentSchemaId() == schema.schemaId()) {
      operations.commit(
          base, TableMetadata.buildFrom(base).setCurrentSchema(previousSchemaId).build());
    }
  }

  /**
   * Whether rows already in a table of {@code table}'s columns read as they are after the change to
   * {@code incoming}'s ({@code mode}): every column both have keeps its type, or takes one Iceberg
   * promotes in place, or (a {@link SchemaChange#UNION}) is written into the table's wider type.
   * Otherwise a {@link SchemaChange#REPLACE} drops and adds the column, and its values must be
   * rewritten.
   */
  public static boolean keepsRowsInPlace(Schema table, Schema incoming, SchemaChange mode) {
    for (Types.NestedField column : incoming.columns()) {
      Types.NestedField existing = table.findField(column.name());
      if (existing == null || existing.type().equals(column.type())) {
        continue;
      }
      if (!existing.type().isPrimitiveType() || !column.type().isPrimitiveType()) {
        return false;
      }
      boolean widened =
          TypeUtil.isPromotionAllowed(existing.type(), column.type().asPrimitiveType());
      boolean narrower =
          mode == SchemaChange.UNION
              && TypeUtil.isPromotionAllowed(column.type(), existing.type().asPrimitiveType());
      if (!widened && !narrower) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stages the change in {@code transaction} and returns the table's schema after it (unchanged
   * when nothing changes).
   */
  static Schema apply(Transaction transaction, Schema desired, SchemaChange mode) {
    Schema current = transaction.table().schema();
    String tableName = transaction.table().name();
    List<Consumer<UpdateSchema>> changes = new ArrayList<>();
    if (mode == SchemaChange.REPLACE) {
      for (Types.NestedField column : current.columns()) {
        if (desired.findField(column.name()) == null) {
          changes.add(update -> update.deleteColumn(column.name()));
        }
      }
    }
    for (Types.NestedField column : desired.columns()) {
      Types.NestedField existing = current.findField(column.name());
      if (existing == null) {
        changes.add(update -> update.addColumn(column.name(), column.type(), column.doc()));
      } else if (!existing.type().equals(column.type())) {
        if (existing.type().isPrimitiveType()
            && column.type().isPrimitiveType()
            && TypeUtil.isPromotionAllowed(existing.type(), column.type().asPrimitiveType())) {
          changes.add(
              update -> update.updateColumn(column.name(), column.type().asPrimitiveType()));
        } else if (mode == SchemaChange.REPLACE) {
          changes.add(update -> update.deleteColumn(column.name()));
          changes.add(update -> update.addColumn(column.name(), column.type(), column.doc()));
        } else if (!canWriteInto(column.type(), existing.type())) {
          throw new DataException(
              "Column '"
                  + column.name()
                  + "' of "
                  + tableName
                  + " changed type from "
                  + existing.type()
                  + " to "
                  + column.type()
                  + "; rebuild the table with --full-refresh or cast the column to "
                  + existing.type());
        }
      }
    }
    if (changes.isEmpty()) {
      return current;
    }
    UpdateSchema update = transaction.updateSchema();
    changes.forEach(change -> change.accept(update));
    if (mode == SchemaChange.REPLACE) {
      String previous = null;
      for (Types.NestedField column : desired.columns()) {
        if (previous == null) {
          update.moveFirst(column.name());
        } else {
          update.moveAfter(column.name(), previous);
        }
        previous = column.name();
      }
    }
    update.commit();
    return transaction.table().schema();
  }

  /** Whether values of {@code source} can be cast into an existing column of {@code target}. */
  private static boolean canWriteInto(Type source, Type target) {
    return source.isPrimitiveType()
        && target.isPrimitiveType()
        && (TypeUtil.isPromotionAllowed(source, target.asPrimitiveType())
            || (source.typeId() == Type.TypeID.INTEGER && target.typeId() == Type.TypeID.DECIMAL)
            || (source.typeId() == Type.TypeID.LONG && target.typeId() == Type.TypeID.DECIMAL)
            || target.typeId() == Type.TypeID.STRING);
  }
}
