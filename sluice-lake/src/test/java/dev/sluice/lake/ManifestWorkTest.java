package dev.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.inmemory.InMemoryFileIO;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which thread writes a commit's new data manifest: the committing one with {@link
 * ManifestWork#writeManifestsFor}, so that Iceberg does not poll its worker pool for it every 10
 * ms; Iceberg's worker pool without it (the control: the test would see a regression).
 */
class ManifestWorkTest {
  /** The threads that created each manifest ({@code ...-m0.avro}), as the catalog's files saw. */
  private static final Queue<String> MANIFEST_WRITERS = new ConcurrentLinkedQueue<>();

  private static final Schema SCHEMA =
      new Schema(Types.NestedField.optional(1, "id", Types.LongType.get()));

  @TempDir Path directory;
  private JdbcCatalog catalog;
  private Table table;

  /** Iceberg's in-memory files, noting which thread creates a manifest. */
  public static final class RecordingFileIO extends InMemoryFileIO {
    @Override
    public OutputFile newOutputFile(String location) {
      if (location.matches(".*-m\\d+\\.avro")) {
        MANIFEST_WRITERS.add(Thread.currentThread().getName());
      }
      return super.newOutputFile(location);
    }
  }

  @BeforeEach
  void createTable() {
    // Iceberg's JDBC catalog, as the lake's, on a file IO that notes who writes (Iceberg's
    // in-memory catalog ignores a file IO of its own)
    catalog = new JdbcCatalog();
    catalog.initialize(
        "test",
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + directory.resolve("catalog.db"),
            "jdbc.schema-version",
            "V1",
            CatalogProperties.FILE_IO_IMPL,
            RecordingFileIO.class.getName(),
            CatalogProperties.WAREHOUSE_LOCATION,
            "/warehouse/" + directory.getFileName()));
    catalog.createNamespace(Namespace.of("curated"));
    table =
        catalog.createTable(
            TableIdentifier.of("curated", "orders"), SCHEMA, PartitionSpec.unpartitioned());
    table.newAppend().appendFile(file(1)).commit();
    MANIFEST_WRITERS.clear();
  }

  @AfterEach
  void close() throws Exception {
    catalog.close();
  }

  private DataFile file(int number) {
    return DataFiles.builder(table.spec())
        .withPath("/warehouse/data-" + number + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withRecordCount(10)
        .build();
  }

  private OverwriteFiles replaceAll() {
    return table
        .newOverwrite()
        .overwriteByRowFilter(Expressions.alwaysTrue())
        .addFile(file(2))
        .scanManifestsWith(ManifestWork.executorFor(table.currentSnapshot(), table.io()));
  }

  @Test
  void aCommitWritesItsDataManifestOnTheCommittingThread() {
    OverwriteFiles overwrite = replaceAll();
    ManifestWork.writeManifestsFor(overwrite, 1);
    overwrite.commit();

    // the new data manifest and the previous one rewritten with its file deleted
    assertThat(MANIFEST_WRITERS).isNotEmpty().containsOnly(Thread.currentThread().getName());
    table.refresh();
    assertThat(SnapshotChanges.builderFor(table).build().addedDataFiles())
        .extracting(DataFile::location)
        .containsExactly("/warehouse/data-2.parquet");
  }

  @Test
  void withoutItIcebergWritesTheDataManifestOnItsWorkerPool() {
    replaceAll().commit();

    List<String> others =
        MANIFEST_WRITERS.stream()
            .filter(thread -> !thread.equals(Thread.currentThread().getName()))
            .toList();
    assertThat(others).isNotEmpty().allMatch(thread -> thread.startsWith("iceberg-worker-pool"));
  }
}
