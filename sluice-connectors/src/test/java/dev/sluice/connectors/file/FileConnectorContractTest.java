package dev.sluice.connectors.file;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.connector.testkit.ConnectorContractTest;
import dev.sluice.connector.testkit.ConnectorFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The connector contract, kept by the file connector on CSV files in a project directory. */
class FileConnectorContractTest extends ConnectorContractTest {
  @Override
  protected SourceConnector connector() {
    return new FileConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    return new CsvFixture();
  }

  /** CSV files {@code data/part-N.csv} with a header {@code id,name}, one file per added batch. */
  static final class CsvFixture implements ConnectorFixture {
    private final Path project;
    private int files;

    CsvFixture() {
      try {
        project = Files.createTempDirectory("sluice-file-contract");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void addRows(long fromId, long toId) {
      StringBuilder csv = new StringBuilder("id,name\n");
      for (long id = fromId; id <= toId; id++) {
        csv.append(id).append(",name-").append(id).append('\n');
      }
      write(csv.toString());
    }

    @Override
    public void addBadRecord() {
      write("id,name\n999,name-999,one value too many\n");
    }

    private void write(String content) {
      try {
        Path data = Files.createDirectories(project.resolve("data"));
        Files.writeString(
            data.resolve(String.format("part-%03d.csv", ++files)), content, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public SourceTableSpec table(boolean incremental, boolean quarantine) {
      return spec(incremental, quarantine, Map.of());
    }

    @Override
    public SourceTableSpec tableWithInvalidOptions() {
      return spec(false, false, Map.of("delimiter", "||"));
    }

    private SourceTableSpec spec(
        boolean incremental, boolean quarantine, Map<String, String> options) {
      return new SourceTableSpec(
          "shop",
          "items",
          project,
          incremental,
          quarantine,
          FileOptions.with("data/*.csv", "csv", options),
          List.of());
    }

    @Override
    public Set<String> addedColumns() {
      return Set.of(Staging.SOURCE_FILE);
    }

    @Override
    public ReplayWindow windowCoveringAllRows() {
      return new ReplayWindow("2000-01-01", null);
    }

    @Override
    public void close() {
      try (Stream<Path> paths = Files.walk(project)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
