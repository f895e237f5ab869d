package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import dev.sluice.core.project.SqlRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice compile}: renders the selected models' SQL as a run would, into {@code
 * target/compiled/}, as dbt's {@code compile} does.
 */
@Command(
    name = "compile",
    description =
        "Render the SQL of the models --select picks (all by default) as the next run would, into"
            + " target/compiled/<project>/<model file> (a dbt project's data tests too, as dbt"
            + " writes them); with one model, print its SQL; dbt's compile.")
final class CompileCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--full-refresh",
      description = "Render incremental models as a full refresh builds them.")
  boolean fullRefresh;

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace();
        dev.sluice.api.engine.EngineSession session = workspace.engine().openSession()) {
      Project project = workspace.project();
      // dbt's compile runs the templates' introspective queries (run_query, ...) on the tables
      dev.sluice.core.project.TemplateQueries queries =
          project.dbt() == null
              ? null
              : new dev.sluice.core.run.LakeTemplateQueries(
                  project, workspace.lake(), session, dev.sluice.lake.ReadPoint.main());
      SqlRenderer renderer = new SqlRenderer();
      dev.sluice.core.project.DbtArtifacts artifacts =
          project.dbt() == null ? null : new dev.sluice.core.project.DbtArtifacts(project);
      Path target =
          project.root().resolve("target").resolve("compiled").resolve(project.config().name());
      List<Map<String, Object>> compiled = new ArrayList<>();
      List<String> selected =
          new Selector(project).select(selection.select(project), selection.exclude);
      for (String name : selected) {
        ModelDef model = project.models().get(name);
        if (model == null) {
          continue; // seeds and source tables have no SQL
        }
        boolean incremental =
            !fullRefresh
                && workspace
                    .lake()
                    .findTable(model.tableName())
                    .map(Table::currentSnapshot)
                    .isPresent();
        SqlRenderer.RenderContext context =
            SqlRenderer.RenderContext.of(project, model, incremental);
        String sql =
            renderer.render(model, queries == null ? context : context.withQueries(queries));
        Path file = target.resolve(model.sqlFileName());
        write(file, sql);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", model.name());
        item.put("resource_type", model.snapshot() != null ? "snapshot" : "model");
        if (artifacts != null) {
          item.put("unique_id", artifacts.uniqueId(model.name()));
        }
        item.put("file", model.sqlFileName());
        item.put("compiled", project.root().relativize(file).toString().replace('\\', '/'));
        item.put("incremental", incremental);
        item.put("sql", sql);
        compiled.add(item);
      }
      int models = compiled.size();
      // and the selected assets' data tests, as dbt compile writes them (and lists them)
      List<dev.sluice.core.run.DbtTestFiles.CompiledTest> tests =
          dev.sluice.core.run.DbtTestFiles.compileTests(workspace, session, selected);
      for (dev.sluice.core.run.DbtTestFiles.CompiledTest test : tests) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", test.name());
        item.put("resource_type", "test");
        item.put("unique_id", test.uniqueId());
        item.put("attached_node", artifacts.uniqueId(test.asset()));
        item.put("compiled", project.root().relativize(test.file()).toString().replace('\\', '/'));
        item.put("sql", test.sql());
        compiled.add(item);
      }
      if (artifacts != null) {
        artifacts.write(
            "manifest.json",
            artifacts.manifest(java.util.UUID.randomUUID().toString(), java.time.Instant.now()));
      }
      if (json()) {
        output().json(compiled);
      } else if (models == 1) {
        output().line(String.valueOf(compiled.get(0).get("sql")).strip());
      } else {
        compiled.forEach(
            item ->
                output().message("Compiled " + item.get("name") + " to " + item.get("compiled")));
      }
      output()
          .message(
              models
                  + (models == 1 ? " model" : " models")
                  + (tests.isEmpty()
                      ? ""
                      : " and " + tests.size() + (tests.size() == 1 ? " test" : " tests"))
                  + " compiled.");
      return ExitCodes.OK;
    }
  }

  private static void write(Path file, String sql) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, sql, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
