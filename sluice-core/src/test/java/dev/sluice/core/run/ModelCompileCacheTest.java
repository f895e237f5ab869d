package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.DerivedCache;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice validate}'s compile cache (issue 20, item 4): a model whose SQL, inputs' schemas,
 * engine and version are those of its last compile is not compiled again; a changed model is, and
 * so is every model downstream of a changed schema, which then fails as it fails without the cache.
 */
class ModelCompileCacheTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "models/curated/customers.sql",
        "select 1 as customer_id, 'Ada' as name, date '2024-01-01' as signed_up\n");
    write(
        project,
        "models/published/cohorts.sql",
        "select customer_id, extract(year from signed_up) as cohort\n"
            + "from {{ ref('customers') }}\n");
    write(
        project,
        "models/published/cohort_sizes.sql",
        "select cohort, count(*) as customers\nfrom {{ ref('cohorts') }}\ngroup by cohort\n");
  }

  private ModelCompiler.Result compileKept() {
    Project loaded = Project.load(project);
    try (Workspace workspace = Workspace.open(loaded)) {
      return ModelCompiler.compile(
          loaded,
          workspace.lake(),
          workspace::engine,
          workspace.runStore().derivedCache(),
          Instant.now());
    }
  }

  private ModelCompiler.Result compileWithoutCache() {
    Project loaded = Project.load(project);
    try (Workspace workspace = Workspace.open(loaded)) {
      return ModelCompiler.compile(loaded, workspace.lake(), workspace.engine());
    }
  }

  private Map<String, DerivedCache.Entry> kept() {
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      return workspace.runStore().derivedCache().all(DerivedCache.Kind.COMPILED_MODEL);
    }
  }

  @Test
  void anUnchangedModelIsNotCompiledAgainAndAChangedOneIs() throws IOException {
    ModelCompiler.Result first = compileKept();
    assertThat(first.compiled()).isEqualTo(3);
    assertThat(first.reused()).isZero();
    assertThat(kept()).containsOnlyKeys("customers", "cohorts", "cohort_sizes");

    ModelCompiler.Result second = compileKept();
    assertThat(second.compiled()).isEqualTo(3);
    assertThat(second.reused()).isEqualTo(3);

    // the leaf's SQL changes: it alone is compiled again
    write(
        project,
        "models/published/cohort_sizes.sql",
        "select cohort, count(*) as customers, 1 as one\nfrom {{ ref('cohorts') }}\n"
            + "group by cohort\n");
    ModelCompiler.Result third = compileKept();
    assertThat(third.reused()).isEqualTo(2);

    // the root's SQL changes but not its columns: the root is compiled again, the rest is not
    write(
        project,
        "models/curated/customers.sql",
        "select 2 as customer_id, 'Grace' as name, date '2024-02-01' as signed_up\n");
    assertThat(compileKept().reused()).isEqualTo(2);

    // a model removed from the project is forgotten
    java.nio.file.Files.delete(project.resolve("models/published/cohort_sizes.sql"));
    compileKept();
    assertThat(kept()).containsOnlyKeys("customers", "cohorts");
  }

  @Test
  void anUpstreamColumnsNewTypeMakesTheDownstreamModelFailAsWithoutTheCache() throws IOException {
    assertThat(compileKept().reused()).isZero();
    assertThat(compileKept().reused()).isEqualTo(3);

    // signed_up becomes an integer: extract(year from ...) downstream no longer binds
    write(
        project,
        "models/curated/customers.sql",
        "select 1 as customer_id, 'Ada' as name, 20240101 as signed_up\n");
    ProjectException kept = catchThrowableOfType(ProjectException.class, this::compileKept);
    ProjectException uncached =
        catchThrowableOfType(ProjectException.class, this::compileWithoutCache);

    assertThat(kept).isNotNull();
    assertThat(kept.problems()).hasSize(1);
    assertThat(kept.problems().get(0).location().toString())
        .isEqualTo("models/published/cohorts.sql:1");
    assertThat(kept.getMessage()).isEqualTo(uncached.getMessage());
    // the failing model is not kept as compiled: it fails again, every time
    assertThat(catchThrowableOfType(ProjectException.class, this::compileKept).getMessage())
        .isEqualTo(uncached.getMessage());

    // put back, everything compiles; the models downstream of the changed root are bound again
    write(
        project,
        "models/curated/customers.sql",
        "select 1 as customer_id, 'Ada' as name, date '2024-01-01' as signed_up\n");
    ModelCompiler.Result fixed = compileKept();
    assertThat(fixed.compiled()).isEqualTo(3);
    assertThat(fixed.notBound()).isEmpty();
  }

  @Test
  void aColumnRenamedUpstreamIsSeenDownstream() throws IOException {
    compileKept();
    write(
        project,
        "models/curated/customers.sql",
        "select 1 as id, 'Ada' as name, date '2024-01-01' as signed_up\n");

    ProjectException failure = catchThrowableOfType(ProjectException.class, this::compileKept);

    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("customer_id");
    assertThat(failure.problems().get(0).location().file())
        .isEqualTo("models/published/cohorts.sql");
    assertThat(failure.problems()).hasSize(1);
  }
}
