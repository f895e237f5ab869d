package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.StagedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A file whose identity on disk (inode, size, modification and change times) did not change since a
 * pass over it is not read again for its checksum and long records; any change to it, the same
 * content under another name, a long record and another quote are read again.
 */
class FileChecksumsTest extends FileConnectorTestBase {
  /** A clock ahead of the file system's, so that a file just written counts as settled. */
  private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(10));

  private Path store() {
    return project.resolve(FileChecksums.DIRECTORY).resolve("shop.orders.tsv");
  }

  private static CsvLongRecords.Scanner scanner() {
    return new CsvLongRecords.Scanner("\"", "\"");
  }

  @Test
  void anUnchangedFileIsNotReadAgainAcrossProcesses() {
    Path file = write("data/a.csv", "id,name\n1,x\n2,y\n");
    FileChecksums first = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    InputFile read = InputFile.read(project, file, scanner(), first);
    first.save();
    assertThat(first.hits()).isZero();

    FileChecksums second = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    InputFile again = InputFile.read(project, file, scanner(), second);

    assertThat(second.hits()).isEqualTo(1);
    assertThat(again.checksum()).isEqualTo(read.checksum());
    assertThat(again.checksum()).isEqualTo(InputFile.read(project, file).checksum());
    assertThat(again.sizeInBytes()).isEqualTo(read.sizeInBytes());
    assertThat(again.longRecords()).isEmpty();
    assertThat(again.name()).isEqualTo("data/a.csv");
  }

  /**
   * The change time guards what size and modification time cannot: a rewrite of the same size whose
   * modification time is set back (as {@code touch -d} or a copy keeping times does).
   */
  @Test
  void aRewriteOfTheSameSizeAndModificationTimeIsReadAgain() throws IOException {
    Path file = write("data/a.csv", "id,name\n1,x\n2,y\n");
    FileTime modified = Files.getLastModifiedTime(file);
    FileChecksums checksums = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    InputFile read = InputFile.read(project, file, scanner(), checksums);
    checksums.save();
    long changed = ctimeNanos(file);
    // the file system's clock moves on, so that the rewrite's change time is another
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> System.currentTimeMillis() > TimeUnit.NANOSECONDS.toMillis(changed) + 50);

    Files.writeString(file, "id,name\n1,x\n2,z\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, modified);
    assertThat(Files.size(file)).isEqualTo(read.sizeInBytes());
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);

    FileChecksums again = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    InputFile reread = InputFile.read(project, file, scanner(), again);

    assertThat(again.hits()).isZero();
    assertThat(reread.checksum())
        .isNotEqualTo(read.checksum())
        .isEqualTo(InputFile.read(project, file).checksum());
  }

  @Test
  void theSameContentUnderANewNameIsRead() throws IOException {
    Path file = write("data/a.csv", "id\n1\n");
    FileChecksums checksums = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    InputFile read = InputFile.read(project, file, scanner(), checksums);
    Path renamed = project.resolve("data/b.csv");
    Files.move(file, renamed);

    InputFile moved = InputFile.read(project, renamed, scanner(), checksums);

    assertThat(checksums.hits()).isZero();
    assertThat(moved.name()).isEqualTo("data/b.csv");
    assertThat(moved.checksum()).isEqualTo(read.checksum());
  }

  @Test
  void aFileChangedJustBeforeItsPassIsNotKept() {
    Path file = write("data/a.csv", "id\n1\n");
    FileChecksums checksums = new FileChecksums(store(), Clock.systemUTC(), FileChecksums.SETTLED);
    InputFile.read(project, file, scanner(), checksums);
    InputFile.read(project, file, scanner(), checksums);

    assertThat(checksums.hits()).isZero();
  }

  /** A file with a long record is scanned at every load; one scanned with another quote, too. */
  @Test
  void longRecordsAndAnotherQuoteAreLookedForAgain() {
    StringBuilder content = new StringBuilder("id,text\n1,short\n2,");
    content.append("x".repeat(CsvLongRecords.MAX_LINE_BYTES + 10)).append("\n3,short\n");
    Path longFile = write("data/long.csv", content.toString());
    Path shortFile = write("data/short.csv", "id,text\n1,'a\nb'\n");
    FileChecksums checksums = new FileChecksums(store(), LATER, FileChecksums.SETTLED);
    assertThat(InputFile.read(project, longFile, scanner(), checksums).longRecords()).hasSize(1);
    assertThat(InputFile.read(project, shortFile, scanner(), checksums).longRecords()).isEmpty();

    InputFile longAgain = InputFile.read(project, longFile, scanner(), checksums);
    InputFile sameQuote = InputFile.read(project, shortFile, scanner(), checksums);
    InputFile otherQuote =
        InputFile.read(project, shortFile, new CsvLongRecords.Scanner("'", "'"), checksums);

    assertThat(longAgain.longRecords()).hasSize(1);
    assertThat(longAgain.longRecords().get(0).line()).isEqualTo(3);
    assertThat(otherQuote.longRecords()).isEmpty();
    assertThat(sameQuote.longRecords()).isEmpty();
    // only the read with the quote the entry was kept with came from the kept entry
    assertThat(checksums.hits()).isEqualTo(1);
  }

  /**
   * Through the connector, with the real settling time: an append-mode load skips an unchanged file
   * without reading it, and loads it again when it was rewritten with the same size and
   * modification time; {@code checksums: always} keeps nothing.
   */
  @Test
  void appendModeSkipsUnchangedFilesAndLoadsRewrittenOnes() throws IOException {
    Path file = write("data/orders.csv", "id,amount\n1,10\n2,20\n");
    FileTime modified = Files.getLastModifiedTime(file);
    long changed = ctimeNanos(file);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                System.currentTimeMillis()
                    > TimeUnit.NANOSECONDS.toMillis(changed)
                        + FileChecksums.SETTLED.toMillis()
                        + 100);
    Spec spec = spec("data/*.csv", "csv").append();

    StagedData first = stage(spec);
    assertThat(first.rows()).isEqualTo(2);
    assertThat(store()).isRegularFile();
    SourceFile loaded = first.files().get(0);
    LoadState state = new LoadState(Map.of(loaded.path(), loaded.checksum()));
    assertThat(connector.stage(spec.build(project), state, session).nothingNew()).isTrue();
    assertThat(connector.hasNewData(spec.build(project), state)).isFalse();

    Files.writeString(file, "id,amount\n1,10\n2,99\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, modified);
    StagedData rewritten = stage(spec, state);

    assertThat(rewritten.rows()).isEqualTo(2);
    assertThat(rewritten.files().get(0).checksum()).isNotEqualTo(loaded.checksum());
    assertThat(connector.hasNewData(spec.build(project), state)).isTrue();

    Files.delete(store());
    stage(spec("data/*.csv", "csv").options(Map.of(FileOptions.CHECKSUMS, "always")));
    assertThat(store()).doesNotExist();
  }

  private static long ctimeNanos(Path file) throws IOException {
    return ((FileTime) Files.getAttribute(file, "unix:ctime")).to(TimeUnit.NANOSECONDS);
  }
}
