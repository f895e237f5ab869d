package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.ParquetCompression;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parquet:} in sluice.yaml: the codec and level of the data files Sluice writes; a source
 * table's and a model's own (its properties, or {@code config(parquet={...})}) override it for that
 * table. A codec or level Sluice cannot write is a problem at its file and line that says what can
 * be written.
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

  private static final String SOURCE = "tables:\n  - name: orders\n    path: data/orders.csv\n";

  @Test
  void aSourceTableAndAModelSetTheirOwnCompressionOverTheProjects() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nparquet:\n  compression: snappy\n");
    TestProjects.write(
        root,
        "sources/shop.yaml",
        SOURCE + "    parquet:\n      compression: zstd\n      compression_level: 9\n");
    TestProjects.write(root, "models/plain.sql", "select 1 as x\n");
    TestProjects.write(root, "models/by_properties.sql", "select 1 as x\n");
    TestProjects.write(
        root,
        "models/by_properties.yaml",
        "models:\n  - name: by_properties\n    parquet:\n      compression: gzip\n");
    TestProjects.write(
        root,
        "models/by_config.sql",
        "{{ config(parquet={'compression': 'zstd', 'compression_level': 5}) }}\nselect 1 as x\n");
    TestProjects.write(
        root,
        "models/by_config.yaml",
        "models:\n  - name: by_config\n    parquet:\n      compression: gzip\n");
    Project project = Project.load(root);
    assertThat(project.sourceTable("shop", "orders").orElseThrow().parquet())
        .isEqualTo(new ParquetCompression("zstd", 9));
    assertThat(project.models().get("plain").parquet()).as("the project's").isNull();
    assertThat(project.models().get("by_properties").parquet())
        .isEqualTo(new ParquetCompression("gzip", null));
    assertThat(project.models().get("by_config").parquet())
        .as("config() over the properties")
        .isEqualTo(new ParquetCompression("zstd", 5));
  }

  @Test
  void aBadCompressionOfASourceTableOrAModelIsAProblemAtItsFileAndLine() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    TestProjects.write(
        root, "sources/shop.yaml", SOURCE + "    parquet:\n      compression: brotli\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:5")
        .contains("Unknown Parquet compression 'brotli'")
        .contains("zstd, snappy, gzip, uncompressed");
    TestProjects.write(root, "sources/shop.yaml", SOURCE);

    TestProjects.write(root, "models/m.sql", "select 1 as x\n");
    TestProjects.write(
        root,
        "models/m.yaml",
        "models:\n  - name: m\n    parquet:\n      compression: snappy\n"
            + "      compression_level: 3\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("models/m.yaml:5")
        .contains("snappy takes no compression_level");
    TestProjects.write(root, "models/m.yaml", "models:\n  - name: m\n");

    TestProjects.write(
        root,
        "models/m.sql",
        "select 1 as x\n{{ config(parquet={'compression': 'zstd', 'compression_level': 30}) }}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("models/m.sql:2")
        .contains("between 1 and 22");
    TestProjects.write(root, "models/m.sql", "{{ config(parquet='zstd') }}\nselect 1 as x\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("models/m.sql:1")
        .contains("must be a dict")
        .contains("config(parquet={'compression': 'zstd', 'compression_level': 3})");
    TestProjects.write(
        root, "models/m.sql", "{{ config(parquet={'codec': 'zstd'}) }}\nselect 1 as x\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("models/m.sql:1")
        .contains("Unknown key [codec]");
  }
}
