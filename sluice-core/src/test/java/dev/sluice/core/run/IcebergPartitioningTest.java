package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionsDef;
import dev.sluice.core.project.TimeGrain;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * Which windows become Iceberg partition transforms, and that a file's partition value is the one
 * Iceberg's own transform gives every row of the window.
 */
class IcebergPartitioningTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.optional(1, "day", Types.DateType.get()),
          Types.NestedField.optional(2, "local_ts", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(3, "ts", Types.TimestampType.withZone()),
          Types.NestedField.optional(4, "region", Types.StringType.get()),
          Types.NestedField.optional(5, "shard", Types.IntegerType.get()),
          Types.NestedField.optional(6, "amount", Types.DoubleType.get()));

  private static PartitionsDef time(String column, TimeGrain grain, String zone) {
    return new PartitionsDef(
        List.of(
            new PartitionsDef.TimeDimension(
                column, grain, LocalDate.parse("2024-01-01"), ZoneId.of(zone)),
            new PartitionsDef.StaticDimension("region", List.of("eu", "us"))),
        0);
  }

  private static List<String> fields(PartitionSpec spec) {
    return spec.fields().stream().map(f -> f.name() + " " + f.transform()).toList();
  }

  @Test
  void transformsOnlyWhereTheyCutLikeTheWindows() {
    assertThat(fields(IcebergPartitioning.spec(time("day", TimeGrain.DAY, "Europe/Paris"), SCHEMA)))
        .containsExactly("day_day day", "region identity");
    assertThat(fields(IcebergPartitioning.spec(time("day", TimeGrain.MONTH, "UTC"), SCHEMA)))
        .containsExactly("day_month month", "region identity");
    assertThat(fields(IcebergPartitioning.spec(time("day", TimeGrain.WEEK, "UTC"), SCHEMA)))
        .containsExactly("region identity");
    assertThat(
            fields(
                IcebergPartitioning.spec(time("local_ts", TimeGrain.HOUR, "Asia/Kolkata"), SCHEMA)))
        .containsExactly("local_ts_hour hour", "region identity");
    assertThat(fields(IcebergPartitioning.spec(time("ts", TimeGrain.HOUR, "UTC"), SCHEMA)))
        .containsExactly("ts_hour hour", "region identity");
    // a day in Paris is not a UTC day, which Iceberg's transforms of a TIMESTAMPTZ use
    assertThat(fields(IcebergPartitioning.spec(time("ts", TimeGrain.DAY, "Europe/Paris"), SCHEMA)))
        .containsExactly("region identity");
    assertThat(
            fields(
                IcebergPartitioning.spec(
                    new PartitionsDef(
                        List.of(
                            new PartitionsDef.StaticDimension("shard", List.of("1", "2")),
                            new PartitionsDef.StaticDimension("amount", List.of("1.5"))),
                        0),
                    SCHEMA)))
        .containsExactly("shard identity");
  }

  @Test
  void aFilesPartitionIsWhatIcebergsTransformGivesItsRows() {
    PartitionsDef hourly = time("local_ts", TimeGrain.HOUR, "Europe/Paris");
    PartitionSpec spec = IcebergPartitioning.spec(hourly, SCHEMA);
    StructLike partition =
        IcebergPartitioning.partitionOf(
            spec, hourly, PartitionKey.of(List.of("2024-03-31T05", "us")), SCHEMA);
    long micros =
        java.time.LocalDateTime.parse("2024-03-31T05:59:59").toEpochSecond(java.time.ZoneOffset.UTC)
            * 1_000_000;
    Integer hour = Transforms.hour().bind(Types.TimestampType.withoutZone()).apply(micros);
    assertThat(partition.get(0, Integer.class)).isEqualTo(hour);
    assertThat(partition.get(1, String.class)).isEqualTo("us");

    PartitionsDef monthly = time("day", TimeGrain.MONTH, "UTC");
    PartitionSpec months = IcebergPartitioning.spec(monthly, SCHEMA);
    StructLike march =
        IcebergPartitioning.partitionOf(
            months, monthly, PartitionKey.of(List.of("2024-03", "eu")), SCHEMA);
    int day = (int) LocalDate.parse("2024-03-17").toEpochDay();
    assertThat(march.get(0, Integer.class))
        .isEqualTo(Transforms.month().bind(Types.DateType.get()).apply(day));
  }
}
