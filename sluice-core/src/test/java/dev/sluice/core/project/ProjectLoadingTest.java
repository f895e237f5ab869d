package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project loaded on its own thread while a command opens what needs only its settings gives what
 * loading it first gives: the same settings and project, and its problems before any other failure.
 */
class ProjectLoadingTest {
  @TempDir Path root;

  private void writeProject(String model) {
    write(
        root,
        "sluice.yaml",
        """
        name: shop
        default_target: prod
        targets:
          prod: {warehouse: lake}
          dev: {warehouse: dev-lake}
        """);
    write(root, "seeds/countries.csv", "code,name\nFI,Finland\n");
    write(root, "models/curated/country_names.sql", model);
  }

  @Test
  void theSettingsAndTheProjectAreThoseOfLoadingItFirst() {
    writeProject("select name from {{ ref('countries') }}\n");
    for (String target : new String[] {null, "dev"}) {
      Project loadedFirst = Project.load(root, target);
      ProjectLoading loading = ProjectLoading.start(root, () -> Project.load(root, target));

      assertThat(loading.config(target).warehouse()).isEqualTo(loadedFirst.config().warehouse());
      assertThat(loading.config(target).warehouse().getFileName())
          .hasToString(target == null ? "lake" : "dev-lake");
      assertThat(loading.project().models().keySet()).containsExactly("country_names");
      assertThat(loading.project().config().warehouse())
          .isEqualTo(loadedFirst.config().warehouse());
    }
  }

  @Test
  void theProjectsProblemComesBeforeAFailureOfTheWorkAlongside() {
    writeProject("select name from {{ ref('countrys') }}\n");
    ProjectLoading loading = ProjectLoading.start(root, () -> Project.load(root));
    // sluice.yaml alone is fine: the command opens its warehouse meanwhile
    assertThat(loading.config(null).name()).isEqualTo("shop");

    RuntimeException reported =
        loading.problemFirst(new IllegalStateException("the catalog is locked"));

    assertThat(reported)
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("countrys")
        .hasMessageContaining("country_names.sql");
    assertThatThrownBy(loading::project).isSameAs(reported);
  }

  @Test
  void aFailureAlongsideAProjectWithoutProblemsIsReportedAsItIs() {
    writeProject("select name from {{ ref('countries') }}\n");
    ProjectLoading loading = ProjectLoading.start(root, () -> Project.load(root));
    IllegalStateException locked = new IllegalStateException("the catalog is locked");

    assertThat(loading.problemFirst(locked)).isSameAs(locked);
  }

  @Test
  void aBrokenSluiceYamlIsReportedAsLoadingTheProjectReportsIt() {
    writeProject("select name from {{ ref('countries') }}\n");
    write(root, "sluice.yaml", "name: shop\nthreads: many\n");
    String loadedFirst = "";
    try {
      Project.load(root);
    } catch (ProjectException e) {
      loadedFirst = e.getMessage();
    }
    ProjectLoading loading = ProjectLoading.start(root, () -> Project.load(root));

    assertThatThrownBy(() -> loading.config(null))
        .isInstanceOf(ProjectException.class)
        .hasMessage(loadedFirst)
        .hasMessageContaining("threads");
  }
}
