package dev.sluice.core.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.FreshnessDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.quality.FreshnessSlos;
import dev.sluice.core.quality.FreshnessTimeline;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * dbt's {@code source freshness} in a dbt project: each source table with {@code freshness:} judged
 * now, as Sluice judges its freshness ({@code sluice slo}: the newest {@code loaded_at_field} value
 * of its last load, else the time of that load, against {@code warn_after} and {@code
 * error_after}), written as dbt's {@code sources.json} (v3) into the target path.
 */
public final class DbtSourceFreshness {
  private DbtSourceFreshness() {}

  /**
   * One source table's judgement.
   *
   * @param status dbt's: {@code pass}, {@code warn}, {@code error} or {@code runtime error}
   * @param maxLoadedAt how new its newest data is, or null when never loaded
   */
  public record TableFreshness(String table, String status, Instant maxLoadedAt) {}

  /**
   * What was judged.
   *
   * @param passed how many source tables are fresh
   * @param warned how many are past {@code warn_after}
   * @param errored how many are past {@code error_after} or never loaded (dbt's runtime error)
   */
  public record Judged(
      Path file, List<TableFreshness> tables, int passed, int warned, int errored) {
    public Judged {
      tables = List.copyOf(tables);
    }

    /** Whether a source table is past its {@code error_after} or cannot be judged: dbt exits 1. */
    public boolean failed() {
      return errored > 0;
    }
  }

  /**
   * Judges the source tables' freshness at {@code now} and writes sources.json.
   *
   * @throws IllegalArgumentException when the project is not a dbt project
   */
  public static Judged judge(Workspace workspace, Instant now) {
    return judge(workspace, now, asset -> true);
  }

  /**
   * Judges the selected source tables' freshness at {@code now} and writes sources.json, as {@code
   * dbt source freshness --select} does.
   *
   * @param selected whether a source table (by its Sluice name, {@code source.table}) is judged
   * @throws IllegalArgumentException when the project is not a dbt project
   */
  public static Judged judge(
      Workspace workspace, Instant now, java.util.function.Predicate<String> selected) {
    Project project = workspace.project();
    DbtArtifacts artifacts = new DbtArtifacts(project);
    FreshnessSlos slos = new FreshnessSlos(project, workspace.runStore());
    ObjectNode sources =
        artifacts.artifact(
            "https://schemas.getdbt.com/dbt/sources/v3.json", UUID.randomUUID().toString(), now);
    ArrayNode results = sources.putArray("results");
    List<TableFreshness> tables = new ArrayList<>();
    int passed = 0;
    int warned = 0;
    int errored = 0;
    long started = System.nanoTime();
    for (SourceDef source : project.sources().values()) {
      for (SourceTableDef table : source.tables()) {
        FreshnessDef freshness = table.freshness();
        if (freshness == null || !selected.test(table.assetName())) {
          continue; // dbt skips a source table without freshness
        }
        ObjectNode result = results.addObject();
        result.put("unique_id", artifacts.uniqueId(table.assetName()));
        FreshnessTimeline.Result judged =
            slos.evaluate(table.assetName(), now).orElseThrow().result();
        if (judged.newestData() == null) {
          result.put(
              "error",
              table.assetName()
                  + " has not been loaded yet"
                  + (freshness.loadedAtField() == null
                      ? ""
                      : " (or has no value of " + freshness.loadedAtField() + ")")
                  + ": run 'sluice run' first");
          result.put("status", "runtime error");
          tables.add(new TableFreshness(table.assetName(), "runtime error", null));
          errored++;
          continue;
        }
        String status =
            switch (judged.state()) {
              case ERROR -> "error";
              case WARN -> "warn";
              default -> "pass";
            };
        switch (status) {
          case "error" -> errored++;
          case "warn" -> warned++;
          default -> passed++;
        }
        tables.add(new TableFreshness(table.assetName(), status, judged.newestData()));
        result.put("max_loaded_at", judged.newestData().toString());
        result.put("snapshotted_at", now.toString());
        result.put("max_loaded_at_time_ago_in_s", judged.age().toMillis() / 1000.0);
        result.put("status", status);
        ObjectNode criteria = result.putObject("criteria");
        time(criteria, "warn_after", freshness.warnAfter());
        time(criteria, "error_after", freshness.errorAfter());
        criteria.putNull("filter");
        result.putObject("adapter_response");
        result.putArray("timing");
        result.put("thread_id", "Thread-1");
        result.put("execution_time", 0.0);
      }
    }
    sources.put("elapsed_time", (System.nanoTime() - started) / 1e9);
    return new Judged(artifacts.write("sources.json", sources), tables, passed, warned, errored);
  }

  /** A threshold as dbt writes it: {@code {count, period}} in the largest whole period. */
  private static void time(ObjectNode criteria, String key, Duration threshold) {
    if (threshold == null) {
      criteria.putNull(key);
      return;
    }
    ObjectNode time = criteria.putObject(key);
    long minutes = threshold.toMinutes();
    if (minutes % (24 * 60) == 0) {
      time.put("count", minutes / (24 * 60)).put("period", "day");
    } else if (minutes % 60 == 0) {
      time.put("count", minutes / 60).put("period", "hour");
    } else {
      time.put("count", minutes).put("period", "minute");
    }
  }
}
