package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.state.PartitionState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "partitions",
    description =
        "List the partitions of a partitioned model: materialized (when, rows, run), failed"
            + " (why) or missing.")
final class PartitionsCommand extends BaseCommand {
  @Parameters(paramLabel = "MODEL", description = "A partitioned model.")
  String name;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description = "Only partitions of this status: materialized, stale, failed or missing.")
  String status;

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      ModelDef model = workspace.project().models().get(name);
      if (model == null) {
        throw new InvalidInputException(
            "No model '" + name + "'; 'sluice plan' lists the project's assets");
      }
      if (!model.partitioned()) {
        throw new InvalidInputException(
            "Model '" + name + "' is not partitioned: give it 'partitions:' in its properties");
      }
      if (status != null
          && !List.of("materialized", "stale", "failed", "missing").contains(status)) {
        throw new InvalidInputException(
            "--status must be materialized, stale, failed or missing, got '" + status + "'");
      }
      Map<String, PartitionState> states = workspace.runStore().partitions().partitions(name);
      Map<String, String> stale =
          new dev.sluice.core.run.Planner(workspace, clock()).stalePartitions(model);
      List<Map<String, Object>> partitions = new ArrayList<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (PartitionKey key : model.partitions().complete(clock().instant())) {
        PartitionState state = states.get(key.toString());
        String partitionStatus =
            state == null
                ? "missing"
                : state.status() == dev.sluice.core.state.PartitionStatus.FAILED
                    ? "failed"
                    : stale.containsKey(key.toString()) ? "stale" : "materialized";
        counts.merge(partitionStatus, 1, Integer::sum);
        if (status != null && !status.equals(partitionStatus)) {
          continue;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partition", key.toString());
        row.put("status", partitionStatus);
        row.put(
            "materializedAt",
            state == null || state.materializedAt() == null
                ? null
                : state.materializedAt().toString());
        row.put("rows", state == null ? null : state.rows());
        row.put("runId", state == null ? null : state.runId());
        row.put(
            "error",
            stale.containsKey(key.toString())
                ? stale.get(key.toString()) + ": 'sluice run' rebuilds it"
                : state == null ? null : state.error());
        partitions.add(row);
      }
      if (json()) {
        output().json(partitions);
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> partition : partitions) {
          rows.add(
              List.of(
                  (String) partition.get("partition"),
                  (String) partition.get("status"),
                  text(partition.get("materializedAt")),
                  partition.get("rows") == null ? "" : formatCount((Long) partition.get("rows")),
                  text(partition.get("runId")),
                  firstLine(partition.get("error"))));
        }
        output()
            .table(List.of("partition", "status", "materialized", "rows", "run", "error"), rows);
      }
      output()
          .message(
              model.partitions().complete(clock().instant()).size()
                  + " partitions: "
                  + counts.getOrDefault("materialized", 0)
                  + " materialized, "
                  + counts.getOrDefault("stale", 0)
                  + " stale, "
                  + counts.getOrDefault("failed", 0)
                  + " failed, "
                  + counts.getOrDefault("missing", 0)
                  + " missing");
      return ExitCodes.OK;
    }
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString();
  }

  private static String firstLine(Object value) {
    return value == null ? "" : value.toString().lines().findFirst().orElse("");
  }
}
