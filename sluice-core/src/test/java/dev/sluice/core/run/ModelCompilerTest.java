package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice validate} compiles every model against its inputs' columns without running it
 * (issue 11, item 23): syntax and binder errors are reported with the file and line.
 */
class ModelCompilerTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\ntables:\n  - name: orders\n    path: data/orders.csv\n    mode: full\n");
    write(project, "models/curated/customers.sql", "select 1 as customer_id, 'Ada' as name\n");
  }

  private ModelCompiler.Result compile() {
    Project loaded = Project.load(project);
    try (Workspace workspace = Workspace.open(loaded)) {
      return ModelCompiler.compile(loaded, workspace.lake(), workspace.engine());
    }
  }

  private ProjectException compileFails() {
    return catchThrowableOfType(ProjectException.class, this::compile);
  }

  @Test
  void aValidProjectCompilesWithoutBuildingAnything() throws IOException {
    write(
        project,
        "models/published/names.sql",
        "select upper(name) as name\nfrom {{ ref('customers') }}\nwhere customer_id > 0\n");
    ModelCompiler.Result result = compile();
    assertThat(result.compiled()).isEqualTo(2);
    assertThat(result.notBound()).isEmpty();
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.lake().listTables()).isEmpty();
    }
  }

  @Test
  void aSyntaxErrorIsReportedWithFileAndLine() throws IOException {
    write(
        project,
        "models/published/broken.sql",
        "select name,\nfrom {{ ref('customers') }}\nwher 1 = 1\n");
    ProjectException failure = compileFails();
    assertThat(failure.problems()).hasSize(1);
    assertThat(failure.problems().get(0).location().toString())
        .isEqualTo("models/published/broken.sql:3");
    assertThat(failure.getMessage()).containsIgnoringCase("syntax error");
  }

  @Test
  void aBinderErrorIsReportedAgainstTheUpstreamModelsColumns() throws IOException {
    write(
        project,
        "models/published/names.sql",
        "select\n  name,\n  no_such_column\nfrom {{ ref('customers') }}\n");
    write(
        project,
        "models/published/typed.sql",
        "select name + 1 as n\nfrom {{ ref('customers') }}\n");
    ProjectException failure = compileFails();
    assertThat(failure.problems())
        .extracting(problem -> problem.location().toString())
        .containsExactlyInAnyOrder("models/published/names.sql:3", "models/published/typed.sql:1");
    assertThat(failure.getMessage()).contains("no_such_column");
  }

  @Test
  void eachReaderOfOneInputIsBoundAgainstItsColumns() throws IOException {
    // the input is registered in the engine once for all its readers; a refused model between
    // them does not disturb the checks and bindings of the others
    write(project, "models/published/a_names.sql", "select name from {{ ref('customers') }}\n");
    write(
        project,
        "models/published/b_refused.sql",
        "select * from {{ ref('customers') }}, read_text('/etc/hosts')\n");
    write(
        project,
        "models/published/c_unknown.sql",
        "select\n  customer_id,\n  email\nfrom {{ ref('customers') }}\n");
    write(
        project, "models/published/d_ids.sql", "select customer_id from {{ ref('customers') }}\n");
    ProjectException failure = compileFails();
    assertThat(failure.problems())
        .extracting(problem -> problem.location().toString())
        .containsExactlyInAnyOrder(
            "models/published/b_refused.sql:1", "models/published/c_unknown.sql:3");
    assertThat(failure.getMessage()).contains("read_text").contains("email");

    write(project, "models/published/b_refused.sql", "select 1 as one\n");
    write(project, "models/published/c_unknown.sql", "select name from {{ ref('customers') }}\n");
    assertThat(compile().compiled()).isEqualTo(5);
  }

  @Test
  void theIncrementalVariantIsCompiledToo() throws IOException {
    write(
        project,
        "models/published/recent.sql",
        """
        {{ config(materialized='incremental') }}
        select customer_id, name from {{ ref('customers') }}
        {% if is_incremental() %}
        where customer_id > (select max(missing_column) from {{ this }})
        {% endif %}
        """);
    ProjectException failure = compileFails();
    assertThat(failure.problems().get(0).location().toString())
        .isEqualTo("models/published/recent.sql:4");
    assertThat(failure.getMessage()).contains("missing_column");
  }

  @Test
  void aLoadedTableIsATypedEmptyRelationWithProductionsColumnTypes() throws IOException {
    write(
        project,
        "sources/shop.yaml",
        "connector: file\ntables:\n  - name: orders\n    path: data/orders.csv\n    mode: full\n"
            + "    columns:\n      - {name: id, type: bigint}\n      - {name: note, type: varchar}\n");
    write(project, "data/orders.csv", "id,note\n1,a\n2,b\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
    // right for the types production's table has: compiles, and nothing runs (no new table)
    write(
        project,
        "models/curated/orders.sql",
        "select id + 1 as next_id, upper(note) as note from {{ source('shop', 'orders') }}\n");
    ModelCompiler.Result result = compile();
    assertThat(result.notBound()).isEmpty();
    assertThat(result.compiled()).isEqualTo(2);
    // wrong for those types (a string function of a bigint): refused at its line, without a row
    write(
        project,
        "models/curated/orders.sql",
        "select id,\n  upper(id) as shouted\nfrom {{ source('shop', 'orders') }}\n");
    ProjectException failure = compileFails();
    assertThat(failure.problems())
        .extracting(problem -> problem.location().toString())
        .containsExactly("models/curated/orders.sql:2");
    assertThat(failure.getMessage()).contains("upper").containsIgnoringCase("BIGINT");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.lake().listTables())
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("raw.shop_orders", "curated.customers");
    }
  }

  @Test
  void aModelOfASourceNeverLoadedIsCheckedButNotBound() throws IOException {
    write(project, "models/curated/orders.sql", "select * from {{ source('shop', 'orders') }}\n");
    ModelCompiler.Result result = compile();
    assertThat(result.compiled()).isEqualTo(1);
    assertThat(result.notBound()).containsEntry("orders", new TableName("raw", "shop_orders"));

    write(
        project,
        "models/curated/orders.sql",
        "select * from {{ source('shop', 'orders') }};\ncopy (select 1) to '/tmp/x.csv'\n");
    assertThat(compileFails().getMessage())
        .contains("models/curated/orders.sql")
        .contains("Only one SELECT");
  }
}
