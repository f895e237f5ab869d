package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectScaffoldTest {
  @TempDir Path dir;

  @Test
  void scaffoldLoadsWithoutProblems() throws Exception {
    Path root = dir.resolve("shop");

    ProjectScaffold.create(root, "shop");
    Project project = Project.load(root);

    assertThat(project.config().name()).isEqualTo("shop");
    assertThat(project.sourceTable("example", "example")).isPresent();
    ModelDef model = project.models().get("example_clean");
    assertThat(model.sources()).containsExactly(new SourceRef("example", "example"));
    assertThat(model.columns().get(0).checks()).extracting(CheckDef::type).contains("not_null");
    assertThat(project.graph().topologicalOrder())
        .containsExactly("example.example", "example_clean");
    assertThat(Files.readString(root.resolve(".gitignore"), StandardCharsets.UTF_8))
        .contains("warehouse/")
        .contains(".sluice/");
    assertThat(root.resolve("data/example.csv")).isRegularFile();
    String sql =
        new SqlRenderer().render(model, SqlRenderer.RenderContext.of(project, model, false));
    assertThat(sql).contains("\"raw\".\"example_example\"").contains("'GB'");
  }

  @Test
  void refusesToOverwriteAProject() {
    ProjectScaffold.create(dir, "shop");

    assertThatThrownBy(() -> ProjectScaffold.create(dir, "shop"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sluice.yaml exists already");
  }

  @Test
  void rejectsAnInvalidName() {
    assertThatThrownBy(() -> ProjectScaffold.create(dir, "my shop"))
        .isInstanceOf(InvalidInputException.class);
  }
}
