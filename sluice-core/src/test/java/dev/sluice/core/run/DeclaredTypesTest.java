package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model column's {@code type:} is applied (cast) or fails the step, through the real runner. */
class DeclaredTypesTest {
  @TempDir Path project;

  @Test
  void declaredTypesAreCastOrFailNamingTheColumn() throws IOException {
    write(project, "sluice.yaml", "name: types\n");
    write(
        project,
        "models/curated/orders.sql",
        "select 1 as id, cast(2.5 as decimal(10, 2)) as amount, 'x' as note\n");
    write(
        project,
        "models/curated/orders.yaml",
        """
        models:
          - name: orders
            columns:
              - {name: id, type: bigint}
              - {name: amount, type: "decimal(12,2)"}
              - {name: note, type: varchar}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      org.apache.iceberg.Schema schema =
          workspace.lake().findTable(TableName.parse("curated.orders")).orElseThrow().schema();
      assertThat(schema.findField("id").type()).isEqualTo(Types.LongType.get());
      assertThat(schema.findField("amount").type()).isEqualTo(Types.DecimalType.of(12, 2));
    }

    write(
        project,
        "models/curated/orders.yaml",
        """
        models:
          - name: orders
            columns:
              - {name: id, type: bigint}
              - {name: note, type: date}
              - {name: missing, type: int}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      StepResult orders = result.steps().get(0);
      assertThat(orders.status()).isEqualTo(StepStatus.FAILED);
      assertThat(orders.error())
          .contains("models/curated/orders.yaml:5")
          .contains("'note' is declared date but the SQL gives string")
          .contains("models/curated/orders.yaml:6")
          .contains("'missing' is declared (type: int) but the SQL gives no such column");
    }
  }

  @Test
  void declaredTypesApplyToModelsBuiltByPartitions() throws IOException {
    write(project, "sluice.yaml", "name: types\n");
    write(
        project,
        "models/curated/regional.sql",
        "select '{{ partition.region }}' as region, 1 as id, 'x' as note\n");
    write(
        project,
        "models/curated/regional.yaml",
        """
        models:
          - name: regional
            materialized: incremental_by_partition
            columns:
              - {name: id, type: bigint}
            partitions:
              - column: region
                values: [eu, us]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace)
              .run(
                  new RunOptions(java.util.List.of(), java.util.List.of(), true), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      // a full refresh builds both values of the static partition in one step
      assertThat(result.steps()).hasSize(1);
      org.apache.iceberg.Schema schema =
          workspace.lake().findTable(TableName.parse("curated.regional")).orElseThrow().schema();
      assertThat(schema.findField("id").type()).isEqualTo(Types.LongType.get());
    }

    write(
        project,
        "models/curated/regional.yaml",
        """
        models:
          - name: regional
            materialized: incremental_by_partition
            columns:
              - {name: note, type: date}
            partitions:
              - column: region
                values: [eu, us]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result =
          new Runner(workspace)
              .run(
                  new RunOptions(java.util.List.of(), java.util.List.of(), true), RunListener.NONE);
      assertThat(result.steps())
          .isNotEmpty()
          .allSatisfy(
              step -> {
                assertThat(step.status()).isEqualTo(StepStatus.FAILED);
                assertThat(step.error())
                    .contains("models/curated/regional.yaml:5")
                    .contains("'note' is declared date but the SQL gives string");
              });
    }
  }
}
