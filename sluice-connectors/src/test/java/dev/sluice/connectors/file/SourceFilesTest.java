package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFilesTest {
  @TempDir Path project;

  @Test
  void invalidGlobIsAnInputError() throws Exception {
    Files.createDirectories(project.resolve("data"));

    assertThatThrownBy(() -> SourceFiles.resolve(project, "data/[a.csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("[a.csv");
  }

  @Test
  void relativePathsMayLeaveTheProject() throws Exception {
    Path outside = Files.createDirectories(project.resolve("shared"));
    Files.writeString(outside.resolve("x.csv"), "id\n1\n");
    Path inner = Files.createDirectories(project.resolve("inner"));

    assertThat(SourceFiles.resolve(inner, "../shared/*.csv"))
        .containsExactly(outside.resolve("x.csv").toAbsolutePath().normalize());
    assertThat(InputFile.displayName(inner, outside.resolve("x.csv")))
        .isEqualTo(outside.resolve("x.csv").toAbsolutePath().normalize().toString());
  }
}
