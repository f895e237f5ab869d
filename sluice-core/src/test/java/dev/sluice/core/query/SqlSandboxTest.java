package dev.sluice.core.query;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model SQL, check SQL and {@code sluice query} reach nothing but the project's tables: each
 * attempt below would read or write the host if it ran (issue 11, items 7 and 9).
 */
class SqlSandboxTest {
  @TempDir Path project;
  @TempDir Path outside;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "seeds/countries.csv", "code,country_name\nDE,Germany\nUS,United States\n");
    write(project, "models/curated/names.sql", "select country_name from {{ ref('countries') }}\n");
  }

  private RunResult run() {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }

  private static StepResult step(RunResult result, String asset) {
    return result.steps().stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }

  @Test
  void statementsAfterTheFirstSemicolonOfAModelNeverRun() throws IOException {
    Path written = outside.resolve("leak.csv");
    Path attached = outside.resolve("other.db");
    write(
        project,
        "models/curated/copier.sql",
        "select code from {{ ref('countries') }};\ncopy (select 42 as answer) to '"
            + written
            + "' (header);\nattach '"
            + attached
            + "' as other;\n");
    StepResult copier = step(run(), "copier");
    assertThat(copier.status()).isEqualTo(StepStatus.FAILED);
    assertThat(copier.error()).contains("models/curated/copier.sql").contains("Only one SELECT");
    assertThat(written).doesNotExist();
    assertThat(attached).doesNotExist();
  }

  @Test
  void aModelCannotReadHostFilesOrTheEnvironment() throws IOException {
    write(
        project,
        "models/curated/environ.sql",
        "select code,\n  (select content from read_blob('/proc/self/environ')) as leak\n"
            + "from {{ ref('countries') }}\n");
    write(project, "models/curated/home.sql", "select getenv('HOME') as home\n");
    write(project, "models/curated/warehouse.sql", "from glob('" + project + "/**')\n");
    RunResult result = run();
    assertThat(step(result, "environ").error())
        .contains("models/curated/environ.sql:2")
        .contains("read_blob");
    assertThat(step(result, "home").error())
        .contains("models/curated/home.sql:1")
        .contains("getenv");
    assertThat(step(result, "warehouse").error()).contains("glob");
    assertThat(step(result, "names").status()).isEqualTo(StepStatus.SUCCEEDED);
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.lake().findTable(new TableName("curated", "environ"))).isEmpty();
    }
  }

  @Test
  void aModelReadsOnlyItsInputs() throws IOException {
    write(project, "models/curated/sneaky.sql", "select * from curated.names\n");
    write(project, "models/curated/settings.sql", "select * from pg_catalog.pg_settings\n");
    RunResult result = run();
    assertThat(step(result, "sneaky").error())
        .contains("models/curated/sneaky.sql:1")
        .contains("curated.names, which is not one of its inputs")
        .contains("ref(");
    assertThat(step(result, "settings").error()).contains("pg_catalog.pg_settings");
  }

  @Test
  void checkSqlIsSandboxedToo() throws IOException {
    write(
        project,
        "models/curated/schema.yaml",
        """
        models:
          - name: names
            checks:
              - expression: {expression: "getenv('HOME') is not null"}
              - sql:
                  name: reads_files
                  query: "select * from read_text('/etc/hostname')"
        """);
    StepResult names = step(run(), "names");
    assertThat(names.checks())
        .allSatisfy(check -> assertThat(check.error()).contains("check query refused"));
  }

  @Test
  void queriesReadOnlyTheProjectsTables() {
    run();
    List<String> attempts =
        List.of(
            "select * from read_text('/root/.gitconfig')",
            "select * from read_blob('" + project.resolve(".sluice") + "/catalog.db')",
            "select * from read_blob('/proc/self/environ')",
            "SELECT * FROM Read_Blob('/proc/self/environ')",
            "select * from \"read_text\"('/etc/hostname')",
            "select * from /* hidden */ read_text -- comment\n('/etc/hostname')",
            "select * from curated.names where country_name in"
                + " (select content from (select * from read_text('/etc/hostname')))",
            "with t as (select * from read_blob('/proc/self/environ')) select * from t",
            "select * from glob('/*')",
            "select * from read_csv_auto('/etc/passwd')",
            "select * from parquet_scan('" + project + "/**/*.parquet')",
            "select * from '/etc/passwd'",
            "copy (select 1) to '/tmp/sluice-leak.csv'",
            "select 1; copy (select 1) to '/tmp/sluice-leak.csv'",
            "attach '/tmp/sluice-other.db' as other",
            "set enable_external_access = true",
            "pragma database_list",
            "install httpfs",
            "load httpfs",
            "select getenv('HOME')",
            "select current_setting('temp_directory')",
            "select * from duckdb_settings()",
            "select * from information_schema.tables",
            "select * from memory.main.anything");
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      for (String attempt : attempts) {
        assertThatThrownBy(() -> queries.query(attempt, ReadPoint.main(), 10))
            .as(attempt)
            .isInstanceOf(InvalidInputException.class);
      }
      assertThat(Path.of("/tmp/sluice-leak.csv")).doesNotExist();
      assertThat(Path.of("/tmp/sluice-other.db")).doesNotExist();
    }
  }

  @Test
  void aSemicolonInAStringIsNotAStatementSeparator() {
    run();
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      assertThat(queries.query("select 'a;b' as text", ReadPoint.main(), 10).rows())
          .containsExactly(List.of("a;b"));
      assertThat(
              queries
                  .query(
                      "select count(*) as n from curated.names -- a comment; still one\n;",
                      ReadPoint.main(),
                      10)
                  .rows())
          .containsExactly(List.of(2L));
    }
  }

  @Test
  void aMissingTableIsNamedWithTheProjectsOwnTables() {
    run();
    try (Workspace workspace = Workspace.open(project)) {
      QueryService queries = new QueryService(workspace);
      assertThatThrownBy(() -> queries.query("select * from curated.nmes", ReadPoint.main(), 10))
          .isInstanceOf(QueryException.class)
          .hasMessage("Table curated.nmes does not exist; did you mean curated.names?");
      assertThatThrownBy(() -> queries.query("select * from raw.orders", ReadPoint.main(), 10))
          .hasMessageContaining("raw.orders does not exist")
          .hasMessageNotContaining("pg_");
      assertThatThrownBy(() -> queries.query("select * from names", ReadPoint.main(), 10))
          .hasMessageContaining("name them zone.table");
    }
  }
}
