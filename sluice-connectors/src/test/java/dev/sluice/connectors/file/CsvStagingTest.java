package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.sql.Identifiers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class CsvStagingTest extends FileConnectorTestBase {

  @Test
  void infersTypesStrictlyAndAddsSourceFile() throws Exception {
    String content =
        "id,name,amount,day,active,zip,at,mixed\n"
            + "1,Ann,12.5,2024-01-31,true,007,2024-01-31 10:00:00,1\n"
            + "2,\"Bob, Jr.\",3,2024-02-01,false,012,2024-02-01T11:30:00,x\n"
            + "3,,,,,,,\n";
    write("data/orders.csv", content);

    StagedData staged = stage(spec("data/orders.csv", "csv"));

    assertThat(staged.relation()).isEqualTo("stage_shop_orders");
    assertThat(staged.rows()).isEqualTo(3);
    assertThat(staged.rejectedRelation()).isNull();
    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT",
            "name VARCHAR",
            "amount DOUBLE",
            "day DATE",
            "active BOOLEAN",
            "zip VARCHAR",
            "at TIMESTAMP",
            "mixed VARCHAR",
            "_source_file VARCHAR");
    List<List<Object>> rows = rows(staged.relation(), "id");
    assertThat(rows.get(0)).startsWith(1L, "Ann", 12.5);
    assertThat(rows.get(0).get(3)).isEqualTo(LocalDate.of(2024, 1, 31));
    assertThat(rows.get(1).subList(1, 2)).containsExactly("Bob, Jr.");
    assertThat(rows.get(1).get(5)).isEqualTo("012");
    assertThat(rows.get(2).subList(1, 8)).containsOnlyNulls();
    assertThat(rows).allSatisfy(row -> assertThat(row.get(8)).isEqualTo("data/orders.csv"));
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    assertThat(staged.files())
        .containsExactly(
            new SourceFile(
                "data/orders.csv",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                bytes.length));
  }

  @Test
  void infersTimestampsWithZonesAndWidensDatesToTimestamps() {
    write(
        "data/events.csv",
        "at,when\n2024-01-31T10:00:00Z,2024-01-31\n2024-02-01 08:00:00+02:00,2024-02-01 10:30\n");

    StagedData staged = stage(spec("data/events.csv", "csv"));

    assertThat(columns(staged.relation()))
        .containsExactly("at TIMESTAMP WITH TIME ZONE", "when TIMESTAMP", "_source_file VARCHAR");
  }

  @Test
  void enforcesDeclaredColumnsByHeaderName() {
    write("data/orders.csv", "status,extra,id,amount\nplaced,x,1,12.50\nshipped,y,2,3\n");

    StagedData staged =
        stage(
            spec("data/*.csv", "csv")
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("amount", Types.DecimalType.of(10, 2)),
                    new Column("status", Types.StringType.get())));

    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT", "amount DECIMAL(10,2)", "status VARCHAR", "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            List.of(1L, new BigDecimal("12.50"), "placed", "data/orders.csv"),
            List.of(2L, new BigDecimal("3.00"), "shipped", "data/orders.csv"));
  }

  @Test
  void filesWithOneHeaderAreReadOnceWhenScannedAndOthersOneByOne() {
    Column[] declared = {
      new Column("id", Types.LongType.get()), new Column("amount", Types.DecimalType.of(10, 2))
    };
    write("data/a.csv", "id,amount\n1,1.50\n");
    write("data/b.csv", "id,amount\n2,x\n3,3\n");

    StagedData lazy =
        connector.stage(
            spec("data/*.csv", "csv").quarantine().columns(declared).build(project),
            LoadState.empty(),
            session);

    assertThat(lazy.readsOnScan()).isTrue();
    assertThat(columns(lazy.relation()))
        .containsExactly("id BIGINT", "amount DECIMAL(10,2)", "_source_file VARCHAR");
    long scanned =
        session.createTemporaryTable(
            "scanned", "SELECT * FROM " + Identifiers.quote(lazy.relation()));
    StagedData done = lazy.scanned(scanned);
    assertThat(done.rows()).isEqualTo(2);
    assertThat(rows("scanned", "id"))
        .containsExactly(
            List.of(1L, new BigDecimal("1.50"), "data/a.csv"),
            List.of(3L, new BigDecimal("3.00"), "data/b.csv"));
    assertThat(done.rejectedRows()).isEqualTo(1);
    List<Object> rejected = rows(done.rejectedRelation(), "_line").get(0);
    assertThat(rejected.subList(0, 3)).containsExactly("data/b.csv", 2L, "2,x");
    assertThat((String) rejected.get(3)).startsWith("column \"amount\": ");

    // another column order in one file: read file by file into a temporary table
    write("data/b.csv", "amount,id\n3,3\n");
    StagedData eager =
        connector.stage(
            spec("data/*.csv", "csv").columns(declared).build(project), LoadState.empty(), session);
    assertThat(eager.readsOnScan()).isFalse();
    assertThat(eager.rows()).isEqualTo(2);
  }

  @Test
  void declaredColumnMissingFromHeaderFailsNamingFileAndColumn() {
    write("data/orders.csv", "id,amount\n1,2\n");

    assertThatThrownBy(
            () ->
                stage(
                    spec("data/orders.csv", "csv")
                        .quarantine()
                        .columns(
                            new Column("id", Types.LongType.get()),
                            new Column("status", Types.StringType.get()))))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/orders.csv line 1")
        .hasMessageContaining("no column 'status'")
        .hasMessageContaining("id, amount");
  }

  @Test
  void withoutHeaderDeclaredColumnsArePositional() {
    write("data/orders.csv", "1,placed\n2,shipped\n");

    StagedData staged =
        stage(
            spec("data/orders.csv", "csv")
                .options(Map.of("header", "false"))
                .columns(
                    new Column("id", Types.IntegerType.get()),
                    new Column("status", Types.StringType.get())));

    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            List.of(1, "placed", "data/orders.csv"), List.of(2, "shipped", "data/orders.csv"));
  }

  @Test
  void withoutHeaderInferredColumnsAreNumbered() {
    write("data/orders.csv", "1,placed\n2,shipped\n");

    StagedData staged = stage(spec("data/orders.csv", "csv").options(Map.of("header", "false")));

    assertThat(columns(staged.relation()))
        .containsExactly("column0 BIGINT", "column1 VARCHAR", "_source_file VARCHAR");
  }

  @Test
  void readsDialectOptions() {
    write(
        "data/orders.csv",
        "id;note;day;at\n1;'it''s; fine';31/01/2024;31/01/2024 10:30\n2;NULL;01/02/2024;NULL\n");

    StagedData staged =
        stage(
            spec("data/orders.csv", "csv")
                .options(
                    Map.of(
                        "delimiter", ";",
                        "quote", "'",
                        "null_string", "NULL",
                        "date_format", "%d/%m/%Y",
                        "timestamp_format", "%d/%m/%Y %H:%M")));

    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT", "note VARCHAR", "day DATE", "at TIMESTAMP", "_source_file VARCHAR");
    List<List<Object>> rows = rows(staged.relation(), "id");
    assertThat(rows.get(0).subList(1, 3)).containsExactly("it's; fine", LocalDate.of(2024, 1, 31));
    assertThat(rows.get(1).get(1)).isNull();
    assertThat(rows.get(1).get(3)).isNull();
  }

  @Test
  void declaredDatesUseTheDateFormat() {
    write("data/orders.csv", "id,day\n1,31/01/2024\n2,2024-01-31\n");

    StagedData staged =
        stage(
            spec("data/orders.csv", "csv")
                .quarantine()
                .options(Map.of("date_format", "%d/%m/%Y"))
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("day", Types.DateType.get())));

    assertThat(rows(staged.relation(), "id"))
        .containsExactly(List.of(1L, LocalDate.of(2024, 1, 31), "data/orders.csv"));
    assertThat(rejected(staged))
        .hasSize(1)
        .first()
        .asString()
        .startsWith("data/orders.csv:3 column \"day\"");
  }

  @Test
  void tsvFilesDefaultToTabs() {
    write("data/orders.tsv", "id\tname\n1\ta,b\n");

    StagedData staged = stage(spec("data/orders.tsv", "csv"));

    assertThat(rows(staged.relation(), "id"))
        .containsExactly(List.of(1L, "a,b", "data/orders.tsv"));
  }

  @Test
  void rejectsUnknownAndInvalidOptions() {
    write("data/orders.csv", "id\n1\n");

    assertThatThrownBy(() -> stage(spec("data/orders.csv", "csv").options(Map.of("delimter", ";"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("delimter")
        .hasMessageContaining("delimiter");
    assertThatThrownBy(
            () -> stage(spec("data/orders.csv", "csv").options(Map.of("delimiter", ";;"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("one character");
    assertThatThrownBy(
            () -> stage(spec("data/orders.csv", "csv").options(Map.of("header", "maybe"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> stage(spec("data/orders.csv", "xml")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("xml");
    assertThatThrownBy(
            () ->
                stage(
                    spec("data/orders.csv", "csv")
                        .columns(new Column("_source_file", Types.StringType.get()))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("_source_file");
  }

  @Test
  void emptyFileAndHeaderOnlyFileStageNoRows() {
    write("data/a.csv", "");
    write("data/b.csv", "id,name\n");

    StagedData staged = stage(spec("data/*.csv", "csv"));

    assertThat(staged.rows()).isZero();
    assertThat(staged.files()).hasSize(2);
    assertThat(columns(staged.relation()))
        .containsExactly("id VARCHAR", "name VARCHAR", "_source_file VARCHAR");
  }

  @Test
  void aHeaderWithAReservedNameFails() {
    write("data/orders.csv", "id,_source_file\n1,2\n");

    assertThatThrownBy(() -> stage(spec("data/orders.csv", "csv")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/orders.csv line 1 has a column named _source_file");
  }

  @Test
  void duplicateHeaderNamesFail() {
    write("data/orders.csv", "id,ID\n1,2\n");

    assertThatThrownBy(() -> stage(spec("data/orders.csv", "csv")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/orders.csv line 1")
        .hasMessageContaining("twice");
  }

  @Test
  void gzipCompressedCsvIsRead() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
      gzip.write("id,name\n1,a\n2,b,extra\n".getBytes(StandardCharsets.UTF_8));
    }
    writeBytes("data/orders.csv.gz", bytes.toByteArray());

    StagedData staged = stage(spec("data/*.csv.gz", "csv").quarantine());

    assertThat(staged.rows()).isEqualTo(1);
    assertThat(rejected(staged))
        .containsExactly("data/orders.csv.gz:3 too many values: expected 2, found 3");
  }
}
