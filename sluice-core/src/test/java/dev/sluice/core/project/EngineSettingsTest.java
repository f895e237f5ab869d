package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engine:} in sluice.yaml reaches DuckDB; a bad value is a project error with its line. */
class EngineSettingsTest {
  @TempDir Path root;

  private static String setting(Workspace workspace, String name) {
    try (EngineSession session = workspace.engine().openSession()) {
      return String.valueOf(
          session.query("select current_setting('" + name + "')", 1).rows().get(0).get(0));
    }
  }

  @Test
  void memoryLimitAndTempDirectoryReachTheEngine() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nengine:\n  memory_limit: 2GiB\n  temp_directory: scratch/spill\n");
    try (Workspace workspace = Workspace.open(root)) {
      assertThat(setting(workspace, "memory_limit")).isEqualTo("2.0 GiB");
      assertThat(setting(workspace, "temp_directory"))
          .isEqualTo(root.resolve("scratch/spill").toAbsolutePath().toString());
    }
  }

  @Test
  void theDefaultLeavesRoomForTheJvmAndSpillsInsideTheProject() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    long total = totalMemory();
    try (Workspace workspace = Workspace.open(root)) {
      String limit = setting(workspace, "memory_limit");
      assertThat(DuckDbEngine.defaultMemoryLimit()).endsWith("MiB");
      // DuckDB's own default would be 80 % of the machine's memory
      assertThat(parseGiB(limit) * (1L << 30)).isLessThanOrEqualTo(total / 2 + (1L << 30));
      // as much as the heap, at least 256 MiB: the process stays near twice its heap
      long heap = Runtime.getRuntime().maxMemory();
      assertThat(parseGiB(limit) * (1L << 30))
          .isLessThanOrEqualTo(Math.max(heap, 256L << 20) + (1L << 20))
          .isGreaterThanOrEqualTo(Math.min(Math.max(heap, 256L << 20), 256L << 20) - (1L << 20));
      assertThat(setting(workspace, "temp_directory"))
          .isEqualTo(root.resolve(".sluice/tmp").toAbsolutePath().toString());
    }
  }

  private static long totalMemory() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  private static double parseGiB(String setting) {
    String[] parts = setting.split(" ");
    double value = Double.parseDouble(parts[0]);
    return switch (parts[1]) {
      case "MiB" -> value / 1024;
      case "GiB" -> value;
      case "TiB" -> value * 1024;
      default -> throw new AssertionError(setting);
    };
  }

  @Test
  void aBadMemoryLimitIsAProblemWithFileAndLine() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: lots\n");
    Problem problem = TestProjects.onlyProblem(root);
    assertThat(problem.toString())
        .startsWith("sluice.yaml:3")
        .contains("Invalid engine.memory_limit 'lots'")
        .contains("4GB");
  }

  @Test
  void aLimitTooSmallToRunAQueryOrAShareAbove100PercentIsAProblemWithFileAndLine() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: 1MB\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("Invalid engine.memory_limit '1MB': too small")
        .contains("at least 16MB");
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: 150%\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("at most 100%");
  }

  @Test
  void aShareOfTheMachinesMemoryReachesTheEngine() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: 10%\n");
    long total = totalMemory();
    try (Workspace workspace = Workspace.open(root)) {
      double limit = parseGiB(setting(workspace, "memory_limit")) * (1L << 30);
      assertThat(limit).isBetween(total * 0.09, total * 0.11);
    }
  }

  @Test
  void aSpillDirectoryThatCannotBeWrittenIsAnErrorAtItsLine() throws Exception {
    java.nio.file.Files.writeString(root.resolve("scratch"), "a file, not a directory");
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nengine:\n  memory_limit: 2GiB\n  temp_directory: scratch/spill\n");
    assertThatThrownBy(() -> Workspace.open(root).close())
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:4")
        .hasMessageContaining("spill directory " + root.resolve("scratch/spill"))
        .hasMessageContaining("cannot be written")
        .hasMessageContaining("temp_directory");
  }

  @Test
  void aModelsMemoryLimitStartsItsEngineWithThatLimit() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: 2GiB\n");
    TestProjects.write(
        root,
        "models/big_join.sql",
        "{{ config(materialized='table', memory_limit='256MB') }}\nselect 1 as x\n");
    TestProjects.write(root, "models/small.sql", "select 1 as x\n");
    try (Workspace workspace = Workspace.open(root)) {
      Execution bigJoin = model(workspace, "big_join").execution();
      assertThat(bigJoin.memoryLimit()).isEqualTo("256MB");
      Execution small = model(workspace, "small").execution();
      assertThat(small.memoryLimit()).isNull();

      assertThat(limitOf(workspace.engine(bigJoin))).isEqualTo("244.1 MiB");
      assertThat(workspace.engine(bigJoin)).isSameAs(workspace.engine(bigJoin));
      assertThat(workspace.engine(small)).isSameAs(workspace.engine());
      assertThat(limitOf(workspace.engine(small))).isEqualTo("2.0 GiB");
    }
  }

  @Test
  void aModelsBadMemoryLimitIsAProblemAtItsLine() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    TestProjects.write(root, "models/m.sql", "select 1 as x\n{{ config(memory_limit='a lot') }}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("models/m.sql:2")
        .contains("Invalid memory_limit 'a lot'");
  }

  private static ModelDef model(Workspace workspace, String name) {
    return ((Asset.Model) workspace.project().asset(name)).definition();
  }

  private static String limitOf(dev.sluice.api.engine.Engine engine) {
    try (EngineSession session = engine.openSession()) {
      return String.valueOf(
          session.query("select current_setting('memory_limit')", 1).rows().get(0).get(0));
    }
  }

  @Test
  void anUnknownEngineKeyIsAProblem() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine:\n  memory: 4GB\n");
    assertThat(TestProjects.onlyProblem(root).toString()).startsWith("sluice.yaml:3");
  }

  @Test
  void theEngineIsChosenByNameDuckDbByDefault() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    try (Workspace workspace = Workspace.open(root)) {
      assertThat(workspace.engine().name()).isEqualTo("duckdb");
      assertThat(workspace.project().config().engine().name()).isEqualTo("duckdb");
    }
    TestProjects.write(root, "sluice.yaml", "name: shop\nengine: duckdb\n");
    try (Workspace workspace = Workspace.open(root)) {
      assertThat(workspace.engine().name()).isEqualTo("duckdb");
    }
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nengine:\n  name: duckdb\n  memory_limit: 2GiB\n");
    try (Workspace workspace = Workspace.open(root)) {
      assertThat(workspace.engine().name()).isEqualTo("duckdb");
      assertThat(setting(workspace, "memory_limit")).isEqualTo("2.0 GiB");
    }
  }

  @Test
  void anUnknownEngineIsAProblemWithFileAndLineListingTheInstalledEngines() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nthreads: 2\nengine: spark\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("Unknown engine 'spark'")
        .contains("the installed engines are: duckdb");

    TestProjects.write(
        root, "sluice.yaml", "name: shop\nengine:\n  memory_limit: 2GiB\n  name: trino\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("Unknown engine 'trino'")
        .contains("duckdb");
  }
}
