package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code sluice compile}'s data tests, as {@code dbt compile} writes them: each test's SQL (the
 * query that selects its failing rows, as a run runs it) in {@code compiled/<project>/<properties
 * file>/<test name>.sql}, a singular test's at its file's path, where a run writes it too.
 */
public final class DbtTestFiles {
  private DbtTestFiles() {}

  /**
   * A data test compiled: its node's unique id and name as dbt gives them, the asset it tests, the
   * file its SQL was written to and that SQL.
   */
  public record CompiledTest(String uniqueId, String name, String asset, Path file, String sql) {}

  /**
   * Writes the SQL of the data tests of these assets (anomaly checks, which have no SQL, aside).
   *
   * @param session the session whose catalog the tests' relations and introspective Jinja read
   * @return the files written, in the assets' order
   */
  public static List<Path> compile(
      Workspace workspace, EngineSession session, Collection<String> assets) {
    return compileTests(workspace, session, assets).stream().map(CompiledTest::file).toList();
  }

  /**
   * Writes the SQL of the data tests of these assets, as {@link #compile}, and gives each test
   * compiled.
   */
  public static List<CompiledTest> compileTests(
      Workspace workspace, EngineSession session, Collection<String> assets) {
    Project project = workspace.project();
    List<CompiledTest> files = new ArrayList<>();
    if (project.dbt() == null) {
      return files;
    }
    DbtArtifacts artifacts = new DbtArtifacts(project);
    StepContext context =
        new StepContext(
            project,
            workspace.lake(),
            session,
            new dev.sluice.core.project.SqlRenderer(),
            "compile",
            Clock.systemUTC().instant(),
            RunOptions.all(),
            Clock.systemUTC(),
            new dev.sluice.governance.AccessPolicy(project.policies(), workspace.classification()),
            workspace.runStore().metrics(),
            new StepTally());
    for (String name : assets) {
      Asset asset = project.asset(name);
      TableName table = asset.tableName();
      CheckRunner runner = context.checkRunner(table);
      for (CheckDef check : asset.allChecks()) {
        if (check.type().equals("anomaly")) {
          continue;
        }
        Path file = artifacts.testSqlFile("compiled", name, check);
        String sql = runner.failingRowsSql(session, table, check);
        try {
          Files.createDirectories(file.getParent());
          Files.writeString(file, sql, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        String uniqueId = artifacts.testUniqueId(name, check);
        // test.<package>.<name>[.<hash>]
        String rest = uniqueId.substring(uniqueId.indexOf('.', "test.".length()) + 1);
        String testName = rest.indexOf('.') < 0 ? rest : rest.substring(0, rest.indexOf('.'));
        files.add(new CompiledTest(uniqueId, testName, name, file, sql));
      }
    }
    return files;
  }
}
