package dev.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The branch an engine commits to itself ({@link EngineBranch}), against a real Iceberg table in a
 * SQLite catalog: the "engine" commits with Iceberg's own API, as Spark's {@code MERGE INTO} does
 * through its catalog. Metadata only: the data files are described, never read.
 */
class EngineBranchTest {
  private static final TableName LATEST = new TableName("curated", "latest");
  private static final String BRANCH = "audit-run-merge";

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
    lake.createTable(
        LATEST, new Schema(Types.NestedField.optional(1, "id", Types.LongType.get())), Map.of());
  }

  @AfterEach
  void close() {
    lake.close();
  }

  private DataFile file(Table table, long rows) {
    return DataFiles.builder(table.spec())
        .withPath(directory.resolve("data-" + fileNumber++ + ".parquet").toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100 * rows)
        .withRecordCount(rows)
        .build();
  }

  @Test
  void readsTheFilesTheEngineAddedAndRemovedSinceTheBranchStarted() {
    Table table = lake.loadTable(LATEST);
    DataFile kept = file(table, 3);
    DataFile rewritten = file(table, 2);
    table.newAppend().appendFile(kept).appendFile(rewritten).commit();
    long main = table.currentSnapshot().snapshotId();
    assertThat(lake.catalogForEngines()).as("an SQLite catalog is not shared").isEmpty();

    EngineBranch branch = EngineBranch.start(lake, LATEST, BRANCH, "main");
    assertThat(branch.startSnapshotId()).isEqualTo(main);
    // the engine's merge: one file rewritten, then (a second commit) one more added
    table.refresh();
    DataFile merged = file(table, 4);
    DataFile added = file(table, 1);
    table.newOverwrite().deleteFile(rewritten).addFile(merged).toBranch(BRANCH).commit();
    table.newAppend().appendFile(added).toBranch(BRANCH).commit();

    EngineBranch.Changes changes = branch.changes();
    assertThat(changes.snapshots()).isEqualTo(2);
    assertThat(changes.rewrite().readSnapshotId()).isEqualTo(main);
    assertThat(changes.rewrite().removed())
        .extracting(DataFile::location)
        .containsExactly(rewritten.location());
    assertThat(changes.added())
        .extracting(DataFile::location)
        .containsExactly(merged.location(), added.location());
    assertThat(changes.addedRows()).isEqualTo(5);
    assertThat(lake.loadTable(LATEST).currentSnapshot().snapshotId())
        .as("main untouched")
        .isEqualTo(main);

    // a resumed step starts the branch again: what the engine committed there is dropped
    EngineBranch again = EngineBranch.start(lake, LATEST, BRANCH, "main");
    assertThat(again.changes().added()).isEmpty();
    assertThat(again.changes().snapshots()).isZero();
    again.drop();
    assertThat(lake.loadTable(LATEST).refs()).containsOnlyKeys("main");
  }

  @Test
  void refusesDeleteFilesOfAMergeOnReadWrite() {
    Table table = lake.loadTable(LATEST);
    DataFile data = file(table, 3);
    table.newAppend().appendFile(data).commit();
    EngineBranch branch = EngineBranch.start(lake, LATEST, BRANCH, "main");
    table.refresh();
    table
        .newRowDelta()
        .addDeletes(
            FileMetadata.deleteFileBuilder(table.spec())
                .ofPositionDeletes()
                .withPath(directory.resolve("deletes.parquet").toString())
                .withFormat(FileFormat.PARQUET)
                .withFileSizeInBytes(10)
                .withRecordCount(1)
                .build())
        .toBranch(BRANCH)
        .commit();

    assertThatThrownBy(branch::changes)
        .isInstanceOf(DataException.class)
        .hasMessageContaining("curated.latest")
        .hasMessageContaining("delete files")
        .hasMessageContaining("write.merge.mode to copy-on-write");
  }
}
