package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class CsvMalformedTest extends FileConnectorTestBase {
  /** Physical lines: a quoted value spans lines 3-4, line 6 is blank. */
  private static final String ORDERS =
      String.join(
              "\n",
              "id,note,amount", // 1
              "1,plain,1.5", // 2
              "2,\"two", // 3
              "lines\",2.5", // 4
              "3,short", // 5
              "", // 6
              "4,ok,xx", // 7
              "5,too,many,values", // 8
              "6,\"stray\"quote,1", // 9
              "7,fine,7") // 10
          + "\n";

  private static final Column[] DECLARED = {
    new Column("id", Types.LongType.get()),
    new Column("note", Types.StringType.get()),
    new Column("amount", Types.DoubleType.get())
  };

  @Test
  void failModeNamesFileLineColumnProblemAndFix() {
    write("data/orders.csv", "id,amount\n1,2.5\n2,abc\n");

    assertThatThrownBy(
            () ->
                stage(
                    spec("data/orders.csv", "csv")
                        .columns(
                            new Column("id", Types.LongType.get()),
                            new Column("amount", Types.DoubleType.get()))))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in data/orders.csv at line 3: column \"amount\"")
        .hasMessageContaining("\"abc\"")
        .hasMessageContaining(
            "set on_error: quarantine in sources/shop.yaml to load the good rows and keep the bad"
                + " ones in raw.shop_orders__rejected");
  }

  @Test
  void failModeReportsTheFirstBadRecordByPhysicalLine() {
    write("data/orders.csv", ORDERS);

    assertThatThrownBy(() -> stage(spec("data/orders.csv", "csv").columns(DECLARED)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Malformed record in data/orders.csv at line 5: too few values: expected 3, found 2")
        .hasMessageContaining("The file has 4 malformed records");
  }

  @Test
  void failModeWithInferredSchemaStillCatchesStructuralErrors() {
    write("data/orders.csv", "id,name\n1,a\n2,\"b\n");

    assertThatThrownBy(() -> stage(spec("data/orders.csv", "csv")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "data/orders.csv at line 3: column \"name\": a quoted value is not closed");
  }

  @Test
  void quarantineStagesGoodRowsAndRejectsEachBadRecordWithItsLine() {
    write("data/orders.csv", ORDERS);

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine().columns(DECLARED));

    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            List.of(1L, "plain", 1.5, "data/orders.csv"),
            List.of(2L, "two\nlines", 2.5, "data/orders.csv"),
            List.of(7L, "fine", 7.0, "data/orders.csv"));
    assertThat(staged.rejectedRelation()).isEqualTo("stage_shop_orders__rejected");
    assertThat(staged.rejectedRows()).isEqualTo(4);
    assertThat(columns(staged.rejectedRelation()))
        .containsExactly(
            "_source_file VARCHAR", "_line BIGINT", "_raw_record VARCHAR", "_reason VARCHAR");
    assertThat(rows(staged.rejectedRelation(), "_line"))
        .containsExactly(
            List.of("data/orders.csv", 5L, "3,short", "too few values: expected 3, found 2"),
            List.of(
                "data/orders.csv",
                7L,
                "4,ok,xx",
                "column \"amount\": Could not convert string \"xx\" to 'DOUBLE'"),
            List.of(
                "data/orders.csv", 8L, "5,too,many,values", "too many values: expected 3, found 4"),
            List.of(
                "data/orders.csv",
                9L,
                "6,\"stray\"quote,1",
                "column \"note\": a quoted value is not closed properly (a quote is missing, or"
                    + " there is text after the closing quote)"));
    assertThat(staged.rows() + staged.rejectedRows()).isEqualTo(7);
  }

  @Test
  void quarantineWithInferredSchemaRejectsStructuralErrors() {
    write("data/orders.csv", ORDERS);

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine());

    assertThat(columns(staged.relation()))
        .containsExactly("id BIGINT", "note VARCHAR", "amount VARCHAR", "_source_file VARCHAR");
    assertThat(staged.rows()).isEqualTo(4);
    assertThat(rejected(staged))
        .containsExactly(
            "data/orders.csv:5 too few values: expected 3, found 2",
            "data/orders.csv:8 too many values: expected 3, found 4",
            "data/orders.csv:9 column \"note\": a quoted value is not closed properly (a quote is"
                + " missing, or there is text after the closing quote)");
  }

  @Test
  void unterminatedQuoteRejectsTheRestOfTheFileAsOneRecordKeepingItsText() {
    write("data/orders.csv", "id,name\n1,a\n2,\"b\n3,c\n4,d\n");

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine());

    assertThat(staged.rows()).isEqualTo(1);
    List<List<Object>> rejected = rows(staged.rejectedRelation(), "_line");
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).subList(0, 3))
        .containsExactly("data/orders.csv", 3L, "2,\"b\n3,c\n4,d");
  }

  @Test
  void crlfLineEndingsGiveTheSameLines() {
    write("data/orders.csv", ORDERS.replace("\n", "\r\n"));

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine().columns(DECLARED));

    assertThat(staged.rows()).isEqualTo(3);
    assertThat(rows(staged.rejectedRelation(), "_line"))
        .extracting(row -> row.get(1) + " " + row.get(2))
        .containsExactly("5 3,short", "7 4,ok,xx", "8 5,too,many,values", "9 6,\"stray\"quote,1");
  }

  @Test
  void invalidUtf8IsABadRecord() {
    byte[] bytes =
        "id,name\n1,a\n2,\u0000\n3,c\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    bytes[bytes.length - 6] = (byte) 0xff;
    writeBytes("data/orders.csv", bytes);

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine());

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(rejected(staged))
        .containsExactly("data/orders.csv:3 the record is not valid UTF-8 text");
  }

  @Test
  void badRecordsOfSeveralFilesKeepTheirFiles() {
    write("data/a.csv", "id,amount\n1,1\n2,x\n");
    write("data/b.csv", "id,amount\n3,3\n4\n5,y\n");

    StagedData staged =
        stage(
            spec("data/*.csv", "csv")
                .quarantine()
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("amount", Types.LongType.get())));

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(rejected(staged))
        .containsExactly(
            "data/a.csv:3 column \"amount\": Could not convert string \"x\" to 'BIGINT'",
            "data/b.csv:3 too few values: expected 2, found 1",
            "data/b.csv:4 column \"amount\": Could not convert string \"y\" to 'BIGINT'");
  }

  @Test
  void failModeStopsAtTheFirstFileWithABadRecord() {
    write("data/a.csv", "id,amount\n1,1\n");
    write("data/b.csv", "id,amount\n3,3\n4\n");

    assertThatThrownBy(() -> stage(spec("data/*.csv", "csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in data/b.csv at line 3: too few values");
    assertThat(session.query("SELECT table_name FROM duckdb_tables() WHERE temporary", 100).rows())
        .isEmpty();
  }

  @Test
  void quarantineWithoutBadRecordsHasNoRejectedRelation() {
    write("data/orders.csv", "id\n1\n");

    StagedData staged = stage(spec("data/orders.csv", "csv").quarantine());

    assertThat(staged.rejectedRelation()).isNull();
    assertThat(staged.rejectedRows()).isZero();
  }
}
