package dev.sluice.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.project.Project;
import dev.sluice.core.quality.UnitTests;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit suite's project holds 100 unit tests, and every one of them passes. */
class UnitTestSuiteTest {
  @TempDir Path project;

  @Test
  void theGeneratedProjectsHundredUnitTestsPass() {
    UnitTestSuite.write(project);
    UnitTests.Report report = UnitTests.run(Project.load(project), List.of(), List.of());
    assertThat(report.results()).hasSize(100);
    assertThat(report.failed()).isZero();
  }
}
