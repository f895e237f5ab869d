package dev.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each operation of a {@link PendingWrite} and the state guards of {@link TableWrite}, against a
 * real Iceberg table in a SQLite catalog. The commits are of metadata only: the data files are
 * described with their column bounds and never read.
 */
class PendingWriteTest {
  private static final TableName ORDERS = new TableName("curated", "orders");
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.optional(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "day", Types.IntegerType.get()));

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
  }

  @AfterEach
  void close() {
    lake.close();
  }

  /** A data file of {@code rows} rows whose {@code day} lies between the two bounds. */
  private DataFile file(Table table, long rows, int firstDay, int lastDay) {
    return DataFiles.builder(table.spec())
        .withPath(directory.resolve("data-" + fileNumber++ + ".parquet").toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withMetrics(
            new Metrics(
                rows,
                null,
                Map.of(1, rows, 2, rows),
                Map.of(1, 0L, 2, 0L),
                null,
                Map.of(2, bound(firstDay)),
                Map.of(2, bound(lastDay))))
        .build();
  }

  private static ByteBuffer bound(int day) {
    return Conversions.toByteBuffer(Types.IntegerType.get(), day);
  }

  private Table withFiles(int... days) {
    Table table = lake.createTable(ORDERS, SCHEMA, Map.of());
    TableWrite write = lake.newWrite(ORDERS, "audit");
    List<DataFile> files = new ArrayList<>();
    for (int day : days) {
      files.add(file(table, 10, day, day));
    }
    write.newCommit(WriteOperation.append()).addFiles(files).commit();
    return lake.loadTable(ORDERS);
  }

  private List<String> mainFiles() {
    List<String> paths = new ArrayList<>();
    Table table = lake.loadTable(ORDERS);
    if (table.currentSnapshot() == null) {
      return paths;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> paths.add(task.file().location()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return paths;
  }

  @Test
  void appendCommitsTheFilesAndTheSummaryToMainOnce() {
    Table table = withFiles(1);
    TableWrite write = lake.newWrite(ORDERS, "audit");
    DataFile added = file(table, 5, 2, 2);

    long snapshot =
        write
            .newCommit(WriteOperation.append())
            .addFiles(List.of(added))
            .set("sluice.run-id", "r1")
            .commit();

    Table committed = lake.loadTable(ORDERS);
    assertThat(committed.currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(committed.currentSnapshot().summary()).containsEntry("sluice.run-id", "r1");
    assertThat(mainFiles()).hasSize(2).contains(added.location());
    assertThatThrownBy(() -> write.newCommit(WriteOperation.append()).commit())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot commit to curated.orders: this write was already committed to main");
    assertThatThrownBy(write::publish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot publish the write of curated.orders: it was already committed to main");
  }

  @Test
  void anAppendOfNoFilesCommitsASourceStateAlone() {
    withFiles(1);
    TableWrite write = lake.newWrite(ORDERS, "audit");

    write.newCommit(WriteOperation.append()).setAll(Map.of("sluice.source-state", "{}")).commit();

    Table committed = lake.loadTable(ORDERS);
    assertThat(committed.currentSnapshot().summary()).containsEntry("sluice.source-state", "{}");
    assertThat(mainFiles()).hasSize(1);
  }

  @Test
  void anAuditedCommitIsOnItsBranchUntilPublished() {
    Table table = withFiles(1);
    long before = table.currentSnapshot().snapshotId();
    TableWrite write = lake.newWrite(ORDERS, "audit");

    assertThatThrownBy(write::publish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Cannot publish the write of curated.orders: nothing is committed to its audit branch"
                + " yet");
    long audited =
        write
            .newCommit(WriteOperation.replaceAll())
            .addFiles(List.of(file(table, 3, 5, 5)))
            .toAuditBranch()
            .commit();

    assertThat(lake.loadTable(ORDERS).currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(lake.loadTable(ORDERS).refs().get("audit").snapshotId()).isEqualTo(audited);
    write.publish();
    Table published = lake.loadTable(ORDERS);
    assertThat(published.currentSnapshot().snapshotId()).isEqualTo(audited);
    assertThat(published.refs()).containsOnlyKeys(SnapshotRef.MAIN_BRANCH);
    assertThat(mainFiles()).hasSize(1);
    assertThatThrownBy(write::publish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot publish the write of curated.orders: it was already published");
    assertThatThrownBy(write::discard)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot discard the write of curated.orders: it was already published");
  }

  @Test
  void aDiscardedWriteCannotBePublishedAndRestoresTheSchema() {
    Table table = withFiles(1);
    TableWrite write = lake.newWrite(ORDERS, "audit");
    Schema widened =
        new Schema(
            Types.NestedField.optional(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "day", Types.IntegerType.get()),
            Types.NestedField.optional(3, "note", Types.StringType.get()));
    write.prepareSchema(widened, SchemaChange.UNION);
    write
        .newCommit(WriteOperation.append())
        .addFiles(List.of(file(table, 1, 2, 2)))
        .toAuditBranch()
        .commit();
    assertThat(lake.loadTable(ORDERS).schema().findField("note")).isNotNull();

    write.discard();
    write.discard();

    Table discarded = lake.loadTable(ORDERS);
    assertThat(discarded.schema().findField("note")).isNull();
    assertThat(discarded.refs()).containsOnlyKeys(SnapshotRef.MAIN_BRANCH);
    assertThatThrownBy(write::publish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot publish the write of curated.orders: it was already discarded");
  }

  @Test
  void replaceAllOnMainFailsWhenAnotherWriterAddedRowsMeanwhile() {
    Table table = withFiles(1);
    TableWrite write = lake.newWrite(ORDERS, "audit");
    lake.newWrite(ORDERS, "other")
        .newCommit(WriteOperation.append())
        .addFiles(List.of(file(table, 1, 9, 9)))
        .commit();

    assertThatThrownBy(
            () ->
                write
                    .newCommit(WriteOperation.replaceAll())
                    .addFiles(List.of(file(table, 1, 3, 3)))
                    .commit())
        .isInstanceOf(TransientException.class)
        .hasCauseInstanceOf(ValidationException.class)
        .hasMessageContaining("was changed by another run while this run wrote it");
    assertThat(mainFiles()).hasSize(2);
  }

  @Test
  void replaceAllOnMainReplacesEveryFile() {
    Table table = withFiles(1, 2);
    DataFile replacing = file(table, 4, 1, 2);

    lake.newWrite(ORDERS, "audit")
        .newCommit(WriteOperation.replaceAll())
        .addFiles(List.of(replacing))
        .commit();

    assertThat(mainFiles()).containsExactly(replacing.location());
  }

  @Test
  void overwriteRowsReplacesTheMatchingFilesOnly() {
    Table table = withFiles(1, 2, 3);
    List<String> before = mainFiles();
    DataFile day2 = file(table, 7, 2, 2);

    lake.newWrite(ORDERS, "audit")
        .newCommit(WriteOperation.overwriteRows(Expressions.equal("day", 2)))
        .addFiles(List.of(day2))
        .commit();

    assertThat(mainFiles())
        .hasSize(3)
        .contains(day2.location())
        .doesNotContain(before.get(1))
        .contains(before.get(0), before.get(2));
  }

  @Test
  void overwriteRowsRejectsAFileThatSpansTheFilterBeforeCommitting() {
    Table table = withFiles();
    lake.newWrite(ORDERS, "audit")
        .newCommit(WriteOperation.append())
        .addFiles(List.of(file(table, 10, 1, 5)))
        .commit();
    long before = lake.loadTable(ORDERS).currentSnapshot().snapshotId();
    PendingWrite overwrite =
        lake.newWrite(ORDERS, "audit")
            .newCommit(WriteOperation.overwriteRows(Expressions.equal("day", 2)))
            .addFiles(List.of(file(table, 1, 2, 2)));

    assertThatThrownBy(overwrite::apply)
        .isInstanceOf(DataException.class)
        .hasMessageContaining("has data files that span several partitions");
    assertThatThrownBy(overwrite::commit).isInstanceOf(DataException.class);
    assertThat(lake.loadTable(ORDERS).currentSnapshot().snapshotId()).isEqualTo(before);
  }

  @Test
  void overwriteRowsFailsWhenAnotherWriterWroteTheSamePartitions() {
    Table table = withFiles(1, 2);
    TableWrite write = lake.newWrite(ORDERS, "audit");
    lake.newWrite(ORDERS, "other")
        .newCommit(WriteOperation.append())
        .addFiles(List.of(file(table, 1, 2, 2)))
        .commit();

    assertThatThrownBy(
            () ->
                write
                    .newCommit(WriteOperation.overwriteRows(Expressions.equal("day", 2)))
                    .addFiles(List.of(file(table, 1, 2, 2)))
                    .commit())
        .isInstanceOf(TransientException.class)
        .hasCauseInstanceOf(ValidationException.class)
        .hasMessageContaining("Another run wrote the same partitions");
  }

  @Test
  void rewriteFilesReplacesTheFilesAMergeRead() {
    Table table = withFiles(1, 2);
    long read = table.currentSnapshot().snapshotId();
    DataFile first;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().filter(Expressions.equal("day", 1)).planFiles()) {
      first = tasks.iterator().next().file();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    DataFile merged = file(table, 11, 1, 1);

    lake.newWrite(ORDERS, "audit")
        .newCommit(WriteOperation.rewriteFiles(new FileRewrite(read, List.of(first))))
        .addFiles(List.of(merged))
        .commit();

    assertThat(mainFiles()).hasSize(2).contains(merged.location()).doesNotContain(first.location());
  }

  @Test
  void rewriteFilesFailsWhenAnotherWriterAddedDataSinceTheRead() {
    Table table = withFiles(1);
    long read = table.currentSnapshot().snapshotId();
    TableWrite write = lake.newWrite(ORDERS, "audit");
    lake.newWrite(ORDERS, "other")
        .newCommit(WriteOperation.append())
        .addFiles(List.of(file(table, 1, 7, 7)))
        .commit();

    assertThatThrownBy(
            () ->
                write
                    .newCommit(WriteOperation.rewriteFiles(new FileRewrite(read, List.of())))
                    .addFiles(List.of(file(table, 1, 1, 1)))
                    .commit())
        .isInstanceOf(TransientException.class)
        .hasCauseInstanceOf(ValidationException.class)
        .hasMessageContaining("while this run merged into it");
  }

  @Test
  void theFirstWriteCreatesItsTableWithItsCommitToMainOnly() {
    TableWrite write =
        lake.newTableWrite(ORDERS, SCHEMA, PartitionSpec.unpartitioned(), Map.of(), "audit");
    assertThat(write.createsTable()).isTrue();
    assertThatThrownBy(() -> write.newCommit(WriteOperation.append()).toAuditBranch().apply())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is audited before it creates the table on main");
    assertThat(lake.findTable(ORDERS)).isEmpty();

    long snapshot =
        write
            .newCommit(WriteOperation.replaceAll())
            .addFiles(List.of(file(write.table(), 2, 1, 1)))
            .set("sluice.run-id", "r1")
            .commit();

    Table created = lake.loadTable(ORDERS);
    assertThat(created.currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(mainFiles()).hasSize(1);
  }
}
