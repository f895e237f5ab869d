package dev.sluice.core.run;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.SqlLiterals;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.project.PartitionsDef;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The rows of a partition range, as a predicate of the step's engine (to check that a model's
 * result stays inside its partitions) and as an Iceberg filter (to replace exactly those rows), for
 * the types the partition columns have in the model's result.
 */
record PartitionFilter(String sql, Expression iceberg, String description) {
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
  private static final DateTimeFormatter OFFSET = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  /**
   * The filter of {@code range} over a result of {@code schema}.
   *
   * @throws DataException when a partition column is missing or of a type it cannot be
   */
  static PartitionFilter of(
      String model, PartitionRange range, Schema schema, EngineSession session) {
    return of(model, range, schema, session::stringLiteral, session::timestampWithTimeZoneLiteral);
  }

  /**
   * The Iceberg filter of {@code range} over a result of {@code schema}, without SQL.
   *
   * @throws DataException when a partition column is missing or of a type it cannot be
   */
  static Expression icebergFilter(String model, PartitionRange range, Schema schema) {
    return of(model, range, schema, SqlLiterals::literal, instant -> "NULL").iceberg();
  }

  /**
   * @param text writes a text as the engine's string literal
   * @param instant writes an instant as the engine's timestamp with time zone
   */
  private static PartitionFilter of(
      String model,
      PartitionRange range,
      Schema schema,
      UnaryOperator<String> text,
      Function<Instant, String> instant) {
    StringJoiner sql = new StringJoiner(" AND ");
    List<Expression> parts = new ArrayList<>();
    StringJoiner description = new StringJoiner(", ");
    PartitionsDef partitions = range.partitions();
    for (PartitionsDef.Dimension dimension : partitions.dimensions()) {
      Types.NestedField field = schema.findField(dimension.column());
      if (field == null) {
        throw new DataException(
            "Model "
                + model
                + " is partitioned on column '"
                + dimension.column()
                + "', which its result lacks; select it (the columns are: "
                + String.join(", ", schema.columns().stream().map(Types.NestedField::name).toList())
                + ")");
      }
      String column = TableName.quote(field.name());
      if (dimension instanceof PartitionsDef.TimeDimension time) {
        ZonedDateTime start = range.start().orElseThrow();
        ZonedDateTime end = range.end().orElseThrow();
        String low;
        String high;
        String lowIceberg;
        String highIceberg;
        switch (field.type().typeId()) {
          case DATE -> {
            if (!start.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
              throw new DataException(
                  "Model "
                      + model
                      + " has hourly partitions on '"
                      + field.name()
                      + "', a DATE column; partition by a TIMESTAMP column or use grain: day");
            }
            low = "DATE '" + start.toLocalDate() + "'";
            high = "DATE '" + end.toLocalDate() + "'";
            lowIceberg = start.toLocalDate().toString();
            highIceberg = end.toLocalDate().toString();
          }
          case TIMESTAMP -> {
            if (((Types.TimestampType) field.type()).shouldAdjustToUTC()) {
              low = instant.apply(start.toInstant());
              high = instant.apply(end.toInstant());
              lowIceberg = start.format(OFFSET);
              highIceberg = end.format(OFFSET);
            } else {
              low = "TIMESTAMP '" + start.toLocalDateTime().format(LOCAL) + "'";
              high = "TIMESTAMP '" + end.toLocalDateTime().format(LOCAL) + "'";
              lowIceberg = start.toLocalDateTime().format(LOCAL);
              highIceberg = end.toLocalDateTime().format(LOCAL);
            }
          }
          default ->
              throw new DataException(
                  "Model "
                      + model
                      + " has time partitions on '"
                      + field.name()
                      + "', a column of type "
                      + field.type()
                      + "; partition by a DATE or TIMESTAMP column, or cast it");
        }
        sql.add(column + " >= " + low + " AND " + column + " < " + high);
        parts.add(Expressions.greaterThanOrEqual(field.name(), lowIceberg));
        parts.add(Expressions.lessThan(field.name(), highIceberg));
        description.add(
            field.name() + " in [" + localText(start, time) + ", " + localText(end, time) + ")");
      } else {
        String value = range.staticValues().get(dimension.column());
        Object literal = literal(model, field, value);
        sql.add(column + " = " + (literal instanceof String string ? text.apply(string) : literal));
        parts.add(Expressions.equal(field.name(), literal));
        description.add(field.name() + " = " + value);
      }
    }
    Expression iceberg = Expressions.alwaysTrue();
    for (Expression part : parts) {
      iceberg = Expressions.and(iceberg, part);
    }
    return new PartitionFilter(sql.toString(), iceberg, description.toString());
  }

  private static String localText(ZonedDateTime moment, PartitionsDef.TimeDimension time) {
    return moment.toLocalDateTime().toString().replace("T00:00", "") + " " + time.zone();
  }

  private static Object literal(String model, Types.NestedField field, String value) {
    Type.TypeID type = field.type().typeId();
    try {
      return switch (type) {
        case STRING -> value;
        case INTEGER -> Integer.valueOf(value);
        case LONG -> Long.valueOf(value);
        default ->
            throw new DataException(
                "Model "
                    + model
                    + " has static partitions on '"
                    + field.name()
                    + "', a column of type "
                    + field.type()
                    + "; partition by a text or integer column, or cast it");
      };
    } catch (NumberFormatException e) {
      throw new DataException(
          "Partition value '"
              + value
              + "' of model "
              + model
              + " is not a number, but column '"
              + field.name()
              + "' is "
              + field.type(),
          e);
    }
  }

  /** Table properties that keep exact column bounds of the partition columns. */
  static Map<String, String> tableProperties(PartitionsDef partitions) {
    Map<String, String> properties = new java.util.HashMap<>();
    for (String column : partitions.columns()) {
      properties.put("write.metadata.metrics.column." + column, "full");
    }
    properties.put("commit.retry.num-retries", "20");
    properties.put("commit.retry.min-wait-ms", "50");
    return properties;
  }
}
