package dev.sluice.core.run;

import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.project.PartitionsDef;
import dev.sluice.core.project.TimeGrain;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg partition spec of a partitioned model's table, so that engines reading the table
 * (Spark, Trino, DuckDB's iceberg extension) prune by partition and a step's overwrite of its
 * partitions drops whole files by metadata.
 *
 * <p>Static dimensions are identity partitions. A time dimension becomes {@code hour}, {@code day}
 * or {@code month} of its column only where Iceberg's transform cuts where Sluice's windows do: on
 * a DATE or a TIMESTAMP without time zone (both hold the wall clock the windows are computed on),
 * or on a TIMESTAMPTZ when the dimension's zone is UTC (Iceberg's transforms of a TIMESTAMPTZ work
 * in UTC). Weekly windows and zoned windows elsewhere have no Iceberg transform; pruning then comes
 * from column bounds, which are tight because every data file holds one partition.
 */
final class IcebergPartitioning {
  private IcebergPartitioning() {}

  /** The spec of a table of {@code schema} partitioned as {@code partitions}. */
  static PartitionSpec spec(PartitionsDef partitions, Schema schema) {
    PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
    for (PartitionsDef.Dimension dimension : partitions.dimensions()) {
      Types.NestedField field = schema.findField(dimension.column());
      if (field == null) {
        continue;
      }
      if (dimension instanceof PartitionsDef.TimeDimension time) {
        if (aligned(time, field.type())) {
          switch (time.grain()) {
            case HOUR -> spec.hour(field.name());
            case DAY -> spec.day(field.name());
            case MONTH -> spec.month(field.name());
            case YEAR -> spec.year(field.name());
            case WEEK -> throw new IllegalStateException("weeks are never aligned");
          }
        }
      } else if (identityType(field.type())) {
        spec.identity(field.name());
      }
    }
    return spec.build();
  }

  /** The partition of {@code spec} that the rows of one partition key belong to. */
  static StructLike partitionOf(
      PartitionSpec spec, PartitionsDef partitions, PartitionKey key, Schema schema) {
    PartitionData data = new PartitionData(spec.partitionType());
    PartitionRange range = PartitionRange.of(partitions, key);
    for (int i = 0; i < spec.fields().size(); i++) {
      PartitionField field = spec.fields().get(i);
      Types.NestedField column = schema.findField(field.sourceId());
      String transform = field.transform().toString();
      if ("identity".equals(transform)) {
        String value = range.staticValues().get(column.name());
        data.set(
            i,
            switch (column.type().typeId()) {
              case INTEGER -> Integer.valueOf(value);
              case LONG -> Long.valueOf(value);
              default -> value;
            });
      } else {
        // the window's start on the wall clock: for the aligned cases, the start in the column's
        // own terms (a date, a local timestamp, or a UTC instant in a UTC zone)
        LocalDateTime start = range.start().map(ZonedDateTime::toLocalDateTime).orElseThrow();
        LocalDateTime epoch = LocalDateTime.of(1970, 1, 1, 0, 0);
        data.set(
            i,
            switch (transform) {
              case "hour" -> (int) ChronoUnit.HOURS.between(epoch, start);
              case "day" -> (int) ChronoUnit.DAYS.between(epoch, start);
              case "month" -> (int) ChronoUnit.MONTHS.between(epoch, start);
              case "year" -> (int) ChronoUnit.YEARS.between(epoch, start);
              default ->
                  throw new IllegalStateException("Unexpected partition transform " + transform);
            });
      }
    }
    return data;
  }

  private static boolean aligned(PartitionsDef.TimeDimension time, Type type) {
    if (time.grain() == TimeGrain.WEEK) {
      return false;
    }
    return switch (type.typeId()) {
      case DATE -> time.grain() != TimeGrain.HOUR;
      case TIMESTAMP ->
          !((Types.TimestampType) type).shouldAdjustToUTC()
              || time.zone().normalized().equals(ZoneOffset.UTC);
      default -> false;
    };
  }

  private static boolean identityType(Type type) {
    return switch (type.typeId()) {
      case STRING, INTEGER, LONG -> true;
      default -> false;
    };
  }
}
