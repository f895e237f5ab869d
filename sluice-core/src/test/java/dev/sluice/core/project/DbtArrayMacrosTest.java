package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt-core's cross-database array macros, as dbt-project-evaluator's recursive_dag() calls them:
 * {@code dbt.array_construct()} (empty: a typed empty array), {@code dbt.array_append()} and {@code
 * dbt.array_concat()}, built into a table by DuckDB.
 */
class DbtArrayMacrosTest {
  @TempDir Path project;

  @Test
  void arraysAreBuiltAsDbtBuildsThem() {
    write(project, "dbt_project.yml", "name: shop\nmodels:\n  shop:\n    +materialized: table\n");
    write(
        project,
        "models/paths.sql",
        """
        select {{ dbt.array_construct(['1', '2']) }} as a,
          {{ dbt.array_append(dbt.array_construct(), '3') }} as b,
          {{ dbt.array_concat(dbt.array_construct(['1']), dbt.array_construct(['4', '5'])) }} as c
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(
              rows(
                  new QueryService(workspace),
                  "select array_to_string(a, ','), array_to_string(b, ','),"
                      + " array_to_string(c, ',') from main.paths"))
          .containsExactly(List.of("1,2", "3", "1,4,5"));
    }
  }
}
