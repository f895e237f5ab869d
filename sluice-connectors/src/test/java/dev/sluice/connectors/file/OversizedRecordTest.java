package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.sql.SqlLiterals;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * A record far longer than the readers' buffers (a 34 MB field, beyond DuckDB's 32 MB CSV buffer)
 * is never skipped without a trace: it is loaded, quarantined with its reason, or fails the load.
 */
class OversizedRecordTest extends FileConnectorTestBase {
  private static final int FIELD_BYTES = 34_000_000;

  private static final Column[] COLUMNS = {
    new Column("id", Types.LongType.get()), new Column("name", Types.StringType.get())
  };

  /** Three records; the middle one (id 2) holds the huge field. */
  private void writeCsv(String name) throws IOException {
    writeLines(name, "id,name", "1,a", "2,\"%s\"", "3,c");
  }

  private void writeNdjson(String name) throws IOException {
    writeLines(
        name,
        "{\"id\": 1, \"name\": \"a\"}",
        "{\"id\": 2, \"name\": \"%s\"}",
        "{\"id\": 3, \"name\": \"c\"}");
  }

  private void writeJsonArray(String name) throws IOException {
    writeLines(
        name,
        "[",
        "{\"id\": 1, \"name\": \"a\"},",
        "{\"id\": 2, \"name\": \"%s\"},",
        "{\"id\": 3, \"name\": \"c\"}",
        "]");
  }

  /** Writes lines, the one with %s holding the huge field, without building it in memory twice. */
  private void writeLines(String name, String... lines) throws IOException {
    Path path = project.resolve(name);
    Files.createDirectories(path.getParent());
    char[] chunk = new char[1_000_000];
    java.util.Arrays.fill(chunk, 'x');
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      for (String line : lines) {
        int at = line.indexOf("%s");
        if (at < 0) {
          out.write(line);
        } else {
          out.write(line, 0, at);
          for (int written = 0; written < FIELD_BYTES; written += chunk.length) {
            out.write(chunk);
          }
          out.write(line, at + 2, line.length() - at - 2);
        }
        out.write('\n');
      }
    }
  }

  private List<Long> ids(StagedData staged) {
    List<Long> ids = new ArrayList<>();
    for (List<Object> row : rows(staged.relation(), "id")) {
      ids.add(((Number) row.get(0)).longValue());
    }
    return ids;
  }

  private List<String> rejectedLines(StagedData staged) {
    List<String> lines = new ArrayList<>();
    for (List<Object> row : rows(staged.rejectedRelation(), "_source_file, _line")) {
      lines.add(row.get(0) + ":" + row.get(1) + " " + row.get(3));
    }
    return lines;
  }

  @Test
  void csvWithDeclaredColumnsQuarantinesTheRecord() throws IOException {
    writeCsv("data/big.csv");

    StagedData staged = stage(spec("data/big.csv", "csv").quarantine().columns(COLUMNS));

    assertThat(ids(staged)).containsExactly(1L, 3L);
    assertThat(staged.rejectedRows()).isEqualTo(1);
    assertThat(rejectedLines(staged))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("data/big.csv:3 ")
        .contains("longer than");
  }

  @Test
  void csvWithInferredColumnsQuarantinesTheRecord() throws IOException {
    writeCsv("data/big.csv");

    StagedData staged = stage(spec("data/big.csv", "csv").quarantine());

    assertThat(ids(staged)).containsExactly(1L, 3L);
    assertThat(rejectedLines(staged))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("data/big.csv:3 ")
        .contains("longer than");
  }

  @Test
  void csvWithoutQuarantineFailsTheLoad() throws IOException {
    writeCsv("data/big.csv");

    assertThatThrownBy(() -> stage(spec("data/big.csv", "csv").columns(COLUMNS)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in data/big.csv at line 3: ")
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> stage(spec("data/big.csv", "csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in data/big.csv at line 3: ");
  }

  @Test
  void ndjsonLoadsTheRecord() throws IOException {
    writeNdjson("data/big.ndjson");

    StagedData declared = stage(spec("data/big.ndjson", "json").columns(COLUMNS));
    assertThat(ids(declared)).containsExactly(1L, 2L, 3L);
    assertThat(declared.rejectedRows()).isZero();

    StagedData inferred = stage(spec("data/big.ndjson", "json"));
    assertThat(ids(inferred)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void jsonArrayLoadsTheRecord() throws IOException {
    writeJsonArray("data/big.json");

    StagedData staged = stage(spec("data/big.json", "json").quarantine().columns(COLUMNS));

    assertThat(ids(staged)).containsExactly(1L, 2L, 3L);
    assertThat(staged.rejectedRows()).isZero();
  }

  @Test
  void parquetLoadsTheRecord() throws IOException {
    Path path = project.resolve("data/big.parquet");
    Files.createDirectories(path.getParent());
    session.execute(
        "COPY (SELECT * FROM (VALUES (1, 'a'), (2, repeat('x', "
            + FIELD_BYTES
            + ")), (3, 'c')) AS t(id, name)) TO "
            + SqlLiterals.literal(path.toString())
            + " (FORMAT parquet)");

    StagedData staged = stage(spec("data/big.parquet", "parquet").quarantine().columns(COLUMNS));

    assertThat(ids(staged)).containsExactly(1L, 2L, 3L);
    assertThat(staged.rejectedRows()).isZero();
  }

  @Test
  void aLongHeaderIsNotEchoedWholeIntoTheError() throws IOException {
    String longName = "x".repeat(1_500_000);
    write("data/wide.csv", "id," + longName + "\n1,a\n");
    write("data/huge.csv", "id," + longName + longName + "\n1,a\n");

    assertThatThrownBy(() -> stage(spec("data/wide.csv", "csv").columns(COLUMNS)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("data/wide.csv line 1: the header has no column 'name'")
        .hasMessageContaining("(1500004 characters)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2000));
    assertThatThrownBy(() -> stage(spec("data/huge.csv", "csv").quarantine()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "data/huge.csv line 1: the header is longer than the maximum line size of 2000000"
                + " bytes (3000003 bytes)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2000));
  }

  @Test
  void aLongRecordAfterQuotedLineBreaksIsFoundAtItsLineAndTheOthersLoad() throws IOException {
    String longValue = "y".repeat(2_500_000);
    write(
        "data/mixed.csv",
        "id,name\r\n1,\"two\r\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\""
            + longValue
            + "\nwith a break\"\r\n4,d\r\n5,\"short\"\r\n");

    StagedData staged = stage(spec("data/mixed.csv", "csv").quarantine().columns(COLUMNS));

    assertThat(ids(staged)).containsExactly(1L, 2L, 4L, 5L);
    assertThat(rejectedLines(staged))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("data/mixed.csv:5 the record is longer than the maximum line size");
    assertThat(rows(staged.rejectedRelation(), "_line"))
        .extracting(row -> (String) row.get(2))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("3,\"yyy")
        .endsWith("(2500017 bytes)")
        .hasSizeLessThan(1100);
  }
}
