package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project's settings alone: sluice.yaml's problems count, the models' do not. */
class LoadConfigTest {
  @TempDir Path root;

  @Test
  void readsTheSettingsWithoutTheModels() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nstate: {url: \"jdbc:sqlite:state/runs.db\"}\n");
    TestProjects.write(root, "models/broken.sql", "select {{ ref('missing') }}\n");
    assertThatThrownBy(() -> Project.load(root)).isInstanceOf(ProjectException.class);

    ProjectConfig config = Project.loadConfig(root, null);
    assertThat(config.name()).isEqualTo("shop");
    assertThat(config.stateUrl()).contains("state/runs.db");
  }

  @Test
  void aProblemOfSluiceYamlIsAnErrorWithItsLine() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nthreads: many\n");
    assertThatThrownBy(() -> Project.loadConfig(root, null))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:2");
  }
}
