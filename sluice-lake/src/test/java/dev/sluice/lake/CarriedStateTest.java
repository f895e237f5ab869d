package dev.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits that are not loads carry the load state in the lake's write path, and a carry made stale
 * by a load committed in between is never read: against a real Iceberg table in a SQLite catalog,
 * with metadata-only data files.
 */
class CarriedStateTest {
  private static final TableName EVENTS = new TableName("raw", "events");
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.optional(1, "id", Types.LongType.get()));

  @TempDir Path directory;
  private Lake lake;
  private int fileNumber;

  @BeforeEach
  void open() {
    lake =
        Lake.open(
            directory.resolve("warehouse"),
            "jdbc:sqlite:" + directory.resolve("catalog.db"),
            Map.of());
    lake.createTable(EVENTS, SCHEMA, Map.of());
  }

  @AfterEach
  void close() {
    lake.close();
  }

  private DataFile file(long rows) {
    return DataFiles.builder(lake.loadTable(EVENTS).spec())
        .withPath(directory.resolve("data-" + fileNumber++ + ".parquet").toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withMetrics(new Metrics(rows, null, Map.of(1, rows), Map.of(1, 0L), null))
        .build();
  }

  /** A load: its files and its state, committed together. */
  private long load(String state, DataFile... files) {
    return lake.newWrite(EVENTS, "audit")
        .newCommit(WriteOperation.append())
        .addFiles(List.of(files))
        .set(CarriedState.LOADED_FILES, state)
        .set(CarriedState.MODEL_FINGERPRINT, "f-" + state)
        .commit();
  }

  private List<String> files() {
    List<String> paths = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = lake.loadTable(EVENTS).newScan().planFiles()) {
      tasks.forEach(task -> paths.add(task.file().location()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return paths;
  }

  @Test
  void aCompactionCarriesTheLoadStateOfTheSnapshotItCommitsOn() {
    DataFile first = file(10);
    DataFile second = file(10);
    long loaded = load("{\"a.csv\":\"1\"}", first);
    load("{\"a.csv\":\"1\",\"b.csv\":\"1\"}", second);
    DataFile compacted = file(10);

    long snapshot =
        lake.newWrite(EVENTS, "maintenance")
            .newCommit(WriteOperation.compact(new FileRewrite(loaded, List.of(first))))
            .addFiles(List.of(compacted))
            .commit();

    Table table = lake.loadTable(EVENTS);
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(table.currentSnapshot().operation()).isEqualTo("replace");
    assertThat(CarriedState.of(table, table.currentSnapshot()))
        .containsEntry(CarriedState.LOADED_FILES, "{\"a.csv\":\"1\",\"b.csv\":\"1\"}")
        .containsEntry(CarriedState.MODEL_FINGERPRINT, "f-{\"a.csv\":\"1\",\"b.csv\":\"1\"}");
    // the rows appended after the snapshot the compaction read are kept
    assertThat(files()).containsExactlyInAnyOrder(second.location(), compacted.location());
  }

  @Test
  void aLoadCommittedBetweenTheCarryAndTheCommitIsNotLoadedAgain() {
    long first = load("{\"a.csv\":\"1\"}", file(10));
    load("{\"a.csv\":\"1\",\"b.csv\":\"1\"}", file(10));
    // as Iceberg's retry commits a rewrite whose state was copied before the second load
    Table table = lake.loadTable(EVENTS);
    table
        .newAppend()
        .set(CarriedState.LOADED_FILES, "{\"a.csv\":\"1\"}")
        .set(CarriedState.CARRIED_FROM, Long.toString(first))
        .commit();
    table.refresh();

    assertThat(CarriedState.of(table, table.currentSnapshot()))
        .containsEntry(CarriedState.LOADED_FILES, "{\"a.csv\":\"1\",\"b.csv\":\"1\"}");
  }

  @Test
  void aCompactionOfAFileAnotherWriterRemovedCommitsNothing() {
    DataFile first = file(10);
    long loaded = load("{}", first);
    TableWrite compaction = lake.newWrite(EVENTS, "maintenance");
    lake.newWrite(EVENTS, "audit")
        .newCommit(WriteOperation.rewriteFiles(new FileRewrite(loaded, List.of(first))))
        .addFiles(List.of(file(10)))
        .commit();

    assertThatThrownBy(
            () ->
                compaction
                    .newCommit(WriteOperation.compact(new FileRewrite(loaded, List.of(first))))
                    .addFiles(List.of(file(10)))
                    .commit())
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("while maintenance compacted it");
    assertThat(files()).hasSize(1).doesNotContain(first.location());
  }
}
