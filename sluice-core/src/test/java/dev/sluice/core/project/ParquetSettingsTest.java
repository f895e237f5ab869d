package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.ParquetCompression;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parquet:} in sluice.yaml: the codec and level of the data files Sluice writes; a codec or
 * level it cannot write is a problem at its line that says what can be written.
 */
class ParquetSettingsTest {
  @TempDir Path root;

  @Test
  void theDefaultIsZstdAtLevelOneAndABlockSetsCodecAndLevel() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    assertThat(Project.load(root).config().parquet()).isEqualTo(new ParquetCompression("zstd", 1));
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nparquet:\n  compression: ZSTD\n  compression_level: 9\n");
    assertThat(Project.load(root).config().parquet()).isEqualTo(new ParquetCompression("zstd", 9));
    TestProjects.write(root, "sluice.yaml", "name: shop\nparquet:\n  compression: snappy\n");
    assertThat(Project.load(root).config().parquet())
        .isEqualTo(new ParquetCompression("snappy", null));
  }

  @Test
  void anUnknownCodecIsAProblemAtItsLineNamingTheCodecsThatCanBeWritten() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nparquet:\n  compression: lz4\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("Unknown Parquet compression 'lz4'")
        .contains("zstd, snappy, gzip, uncompressed");
  }

  @Test
  void aLevelForAnotherCodecOrOutOfRangeIsAProblemAtItsLine() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nparquet:\n  compression: snappy\n  compression_level: 1\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("snappy takes no compression_level");
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nparquet:\n  compression: zstd\n  compression_level: 23\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("between 1 and 22");
    TestProjects.write(root, "sluice.yaml", "name: shop\nparquet:\n  codec: zstd\n");
    assertThat(TestProjects.onlyProblem(root).toString()).startsWith("sluice.yaml:3");
  }
}
