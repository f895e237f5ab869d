package dev.sluice.core.run;

import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SQL of a dbt project's models as a run renders them, in dbt's places in the target path:
 * {@code compiled/<project>/<file>} (the compiled SELECT) and {@code run/<project>/<file>} (what
 * ran: Sluice runs that SELECT and writes its rows into the model's Iceberg table itself, where
 * dbt-duckdb would run a {@code create table ... as}). run_results.json and manifest.json then give
 * each model's {@code compiled_code}.
 */
final class DbtRunFiles {
  private DbtRunFiles() {}

  /** Writes a model's rendered SQL, when the project is a dbt project. */
  static void write(Project project, ModelDef model, String sql) {
    if (project.dbt() == null) {
      return;
    }
    DbtArtifacts artifacts = new DbtArtifacts(project);
    for (String kind : new String[] {"compiled", "run"}) {
      Path file = artifacts.sqlFile(kind, model);
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, sql, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** The SQL each model ran since a time (this run's), by model: what {@link #write} wrote. */
  static Map<String, String> ranSince(Project project, Instant since) {
    DbtArtifacts artifacts = new DbtArtifacts(project);
    Map<String, String> sql = new LinkedHashMap<>();
    for (ModelDef model : project.models().values()) {
      Path file = artifacts.sqlFile("run", model);
      try {
        if (Files.isRegularFile(file)
            && !Files.getLastModifiedTime(file).toInstant().isBefore(since)) {
          sql.put(model.name(), Files.readString(file, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return sql;
  }

  /**
   * Adds to a manifest the SQL each data test last ran (what a run wrote into {@code run/}), as its
   * {@code compiled_code}: {@code docs generate}'s manifest, as a run's gives it.
   */
  static void addTestsRan(
      Project project,
      DbtArtifacts artifacts,
      com.fasterxml.jackson.databind.node.ObjectNode manifest) {
    Map<String, String> code = new LinkedHashMap<>();
    Map<String, Path> files = new LinkedHashMap<>();
    for (String asset : project.graph().topologicalOrder()) {
      for (dev.sluice.core.project.CheckDef check : project.asset(asset).allChecks()) {
        Path file = artifacts.testSqlFile("run", asset, check);
        if (!Files.isRegularFile(file)) {
          continue;
        }
        String id = artifacts.testUniqueId(asset, check);
        try {
          code.put(id, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        files.put(id, artifacts.testSqlFile("compiled", asset, check));
      }
    }
    artifacts.addTestCompiledCode(manifest, code, files);
  }
}
