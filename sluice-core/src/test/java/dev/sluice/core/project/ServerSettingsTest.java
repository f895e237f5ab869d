package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server:} of sluice.yaml: the Flight SQL port, and a bad one at its line. */
class ServerSettingsTest {
  @TempDir Path root;

  @Test
  void theFlightSqlPortIsReadAndAbsentMeansNone() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nserver:\n  port: 8270\n  flight_port: 8271\n");
    ServerSettings settings = Project.load(root).config().server();
    assertThat(settings.port()).isEqualTo(8270);
    assertThat(settings.flightPort()).isEqualTo(8271);

    TestProjects.write(root, "sluice.yaml", "name: shop\nserver:\n  port: 8270\n");
    assertThat(Project.load(root).config().server().flightPort()).isNull();
  }

  @Test
  void aFlightPortOutOfRangeIsAProblemWithFileAndLine() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nserver:\n  flight_port: 70000\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("server.flight_port must be between 0 and 65535, got 70000")
        .contains("flight_port: 8271");
  }
}
