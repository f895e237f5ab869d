package dev.sluice.core.run;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ModelDef;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * The column types a model's properties declare ({@code type:}), held against what its SQL gives,
 * as dbt's model contracts do: a column of the declared type passes; one that widens into it
 * without loss ({@code int} into {@code bigint}, {@code float} into {@code double}) or a decimal of
 * another precision or scale is cast to it; any other type, or a declared column the SQL does not
 * give, fails the step before anything is written, naming the properties file and line.
 */
final class DeclaredTypes {
  private DeclaredTypes() {}

  /**
   * The model's SQL with its columns cast to their declared types, or {@code sql} itself when
   * nothing needs a cast.
   *
   * @throws InvalidInputException naming each declared column that the SQL does not give, or gives
   *     as a type that cannot become the declared one
   */
  static String apply(ModelDef model, EngineSession session, String sql) {
    List<ColumnDef> typed = model.columns().stream().filter(c -> c.type() != null).toList();
    if (typed.isEmpty()) {
      return sql;
    }
    Schema actual = session.describe(sql);
    StringJoiner casts = new StringJoiner(", ");
    List<String> problems = new ArrayList<>();
    for (ColumnDef column : typed) {
      Type declared = column.icebergType().orElseThrow();
      Types.NestedField field = actual.caseInsensitiveFindField(column.name());
      if (field == null) {
        problems.add(
            column.location()
                + ": column '"
                + column.name()
                + "' is declared (type: "
                + column.type()
                + ") but the SQL gives no such column");
        continue;
      }
      Type given = field.type();
      if (same(given, declared)) {
        continue;
      }
      if (castable(given, declared)) {
        casts.add(
            "CAST("
                + TableName.quote(field.name())
                + " AS "
                + column.type()
                + ") AS "
                + TableName.quote(field.name()));
        continue;
      }
      problems.add(
          column.location()
              + ": column '"
              + column.name()
              + "' is declared "
              + column.type()
              + " but the SQL gives "
              + given
              + "; cast it in the SQL (cast(... as "
              + column.type()
              + ")) or change its type:");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "Model "
              + model.name()
              + " does not give the column types its properties declare: "
              + String.join("; ", problems));
    }
    if (casts.length() == 0) {
      return sql;
    }
    return "SELECT * REPLACE (" + casts + ") FROM (" + sql + "\n) AS declared_types";
  }

  private static boolean same(Type given, Type declared) {
    if (given.isPrimitiveType() || declared.isPrimitiveType()) {
      return given.equals(declared);
    }
    // nested types: the declared one's field ids are placeholders
    return given.typeId() == declared.typeId();
  }

  private static boolean castable(Type given, Type declared) {
    if (!given.isPrimitiveType() || !declared.isPrimitiveType()) {
      return false;
    }
    if (given.typeId() == Type.TypeID.DECIMAL && declared.typeId() == Type.TypeID.DECIMAL) {
      return true;
    }
    return TypeUtil.isPromotionAllowed(given, declared.asPrimitiveType());
  }
}
