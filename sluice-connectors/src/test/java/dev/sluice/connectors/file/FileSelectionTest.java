package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.StagedData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSelectionTest extends FileConnectorTestBase {

  @Test
  void isFoundByServiceLoader() {
    assertThat(ServiceLoader.load(SourceConnector.class))
        .anySatisfy(connector -> assertThat(connector).isInstanceOf(FileConnector.class));
    assertThat(connector.type()).isEqualTo("file");
  }

  @Test
  void globMatchesWithinOneDirectoryAndDoubleStarCrossesDirectories() {
    write("data/orders/2024-02.csv", "id\n2\n");
    write("data/orders/2024-01.csv", "id\n1\n");
    write("data/orders/old/2023-12.csv", "id\n0\n");
    write("data/orders/notes.txt", "id\n9\n");
    write("data/orders/.hidden.csv", "id\n8\n");

    assertThat(stage(spec("data/orders/*.csv", "csv")).files())
        .extracting(SourceFile::path)
        .containsExactly("data/orders/2024-01.csv", "data/orders/2024-02.csv");
    assertThat(stage(spec("data/orders/**.csv", "csv")).files())
        .extracting(SourceFile::path)
        .containsExactly(
            "data/orders/2024-01.csv", "data/orders/2024-02.csv", "data/orders/old/2023-12.csv");
    assertThat(stage(spec("data/*/2024-0[2-9].csv", "csv")).files())
        .extracting(SourceFile::path)
        .containsExactly("data/orders/2024-02.csv");
  }

  @Test
  void aDirectoryMeansItsFiles() {
    write("data/orders/a.csv", "id\n1\n");
    write("data/orders/b.csv", "id\n2\n");

    StagedData staged = stage(spec("data/orders", "csv"));

    assertThat(staged.rows()).isEqualTo(2);
  }

  @Test
  void absolutePathsOutsideTheProjectAreReportedAbsolute(@TempDir Path elsewhere) throws Exception {
    java.nio.file.Files.writeString(elsewhere.resolve("x.csv"), "id\n1\n");

    StagedData staged = stage(spec(elsewhere.toAbsolutePath() + "/*.csv", "csv"));

    assertThat(staged.files())
        .extracting(SourceFile::path)
        .containsExactly(elsewhere.toAbsolutePath().resolve("x.csv").toString());
    assertThat(rows(staged.relation(), "id").get(0).get(1))
        .isEqualTo(elsewhere.toAbsolutePath().resolve("x.csv").toString());
  }

  @Test
  void nothingMatchingIsNothingNew() {
    StagedData missingDirectory = stage(spec("nowhere/*.csv", "csv"));
    write("data/orders.json", "[]");
    StagedData noMatch = stage(spec("data/*.csv", "csv"));
    StagedData missingFile = stage(spec("data/missing.csv", "csv"));

    for (StagedData staged : List.of(missingDirectory, noMatch, missingFile)) {
      assertThat(staged.nothingNew()).isTrue();
      assertThat(staged.relation()).isNull();
      assertThat(staged.rows()).isZero();
      assertThat(staged.rejectedRelation()).isNull();
    }
  }

  @Test
  void appendSkipsLoadedFilesAndReadsChangedOnesAgain() {
    write("data/a.csv", "id\n1\n");
    write("data/b.csv", "id\n2\n");
    StagedData first = stage(spec("data/*.csv", "csv").append());
    assertThat(first.rows()).isEqualTo(2);
    Map<String, String> loaded = new HashMap<>();
    first.files().forEach(file -> loaded.put(file.path(), file.checksum()));

    StagedData again = stage(spec("data/*.csv", "csv").append(), new LoadState(loaded));
    assertThat(again.nothingNew()).isTrue();

    write("data/b.csv", "id\n2\n3\n");
    write("data/c.csv", "id\n4\n");
    StagedData next = stage(spec("data/*.csv", "csv").append(), new LoadState(loaded));

    assertThat(next.files())
        .extracting(SourceFile::path)
        .containsExactly("data/b.csv", "data/c.csv");
    assertThat(rows(next.relation(), "id"))
        .containsExactly(
            List.of(2L, "data/b.csv"), List.of(3L, "data/b.csv"), List.of(4L, "data/c.csv"));
  }

  @Test
  void fullModeReadsAllFilesWhateverWasLoaded() {
    write("data/a.csv", "id\n1\n");
    write("data/b.csv", "id\n2\n");
    StagedData first = stage(spec("data/*.csv", "csv"));
    Map<String, String> loaded = new HashMap<>();
    first.files().forEach(file -> loaded.put(file.path(), file.checksum()));

    StagedData again = stage(spec("data/*.csv", "csv"), new LoadState(loaded));

    assertThat(again.rows()).isEqualTo(2);
    assertThat(again.files()).hasSize(2);
    assertThat(again.bytesRead()).isEqualTo(10);
  }
}
