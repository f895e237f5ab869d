package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class JsonStagingTest extends FileConnectorTestBase {

  @Test
  void readsAnArrayOfObjectsInferringTypes() {
    write(
        "data/orders.json",
        """
        [
          {"id": 1, "name": "Ann", "amount": 12.5, "tags": ["a", "b"]},
          {"id": 2, "name": "Bob", "amount": 3, "address": {"city": "Oslo"}}
        ]
        """);

    StagedData staged = stage(spec("data/orders.json", "json"));

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT",
            "name VARCHAR",
            "amount DOUBLE",
            "tags VARCHAR[]",
            "address STRUCT(city VARCHAR)",
            "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .extracting(row -> row.get(1) + " " + row.get(2) + " " + row.get(5))
        .containsExactly("Ann 12.5 data/orders.json", "Bob 3.0 data/orders.json");
  }

  @Test
  void theFormatIsToldFromTheExtensionWhenNotGiven() {
    write("data/a.ndjson", "{\"id\": 1, \"name\": \"Ann\"}\n");
    write("data/b.ndjson", "{\"id\": 2, \"name\": \"Bob\"}\n");

    StagedData staged = stage(spec("data/*.ndjson", null));

    assertThat(rows(staged.relation(), "id"))
        .extracting(row -> row.get(0) + " " + row.get(1))
        .containsExactly("1 Ann", "2 Bob");
    assertThat(FileOptions.formatOf("data/orders.TSV")).contains("csv");
    assertThat(FileOptions.formatOf("s3://bucket/orders/*.parquet")).contains("parquet");
    assertThat(FileOptions.formatOf("data/b.jsonl.gz")).contains("json");
    assertThat(FileOptions.formatOf("data/items.txt")).isEmpty();
    assertThatThrownBy(() -> stage(spec("data/items.txt", null)))
        .hasMessageContaining("Cannot tell the format of 'data/items.txt' of shop.orders");
  }

  @Test
  void readsNewlineDelimitedObjectsUnitingFieldsAcrossFiles() {
    write("data/a.ndjson", "{\"id\": 1, \"name\": \"Ann\"}\n\n{\"id\": 2, \"name\": \"Bob\"}\n");
    write("data/b.ndjson", "{\"id\": 3, \"score\": \"high\"}\n");

    StagedData staged = stage(spec("data/*.ndjson", "json"));

    assertThat(columns(staged.relation()))
        .containsExactly("id BIGINT", "name VARCHAR", "score VARCHAR", "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            java.util.Arrays.asList(1L, "Ann", null, "data/a.ndjson"),
            java.util.Arrays.asList(2L, "Bob", null, "data/a.ndjson"),
            java.util.Arrays.asList(3L, null, "high", "data/b.ndjson"));
  }

  @Test
  void valuesOfMixedTypesAreInferredAsText() {
    write("data/a.ndjson", "{\"id\": 1, \"code\": 7}\n{\"id\": 2, \"code\": \"x7\"}\n");

    StagedData staged = stage(spec("data/a.ndjson", "json"));

    assertThat(rows(staged.relation(), "id"))
        .extracting(row -> row.get(1))
        .containsExactly("7", "x7");
  }

  @Test
  void aValueOfAnotherTypeInAColumnOfNumbersIsQuarantined() {
    write("data/a.ndjson", "{\"id\": 6}\n{\"id\": 7}\n{\"id\": \"oops\"}\n{\"id\": 8}\n");
    write("data/b.ndjson", "{\"id\": 9, \"ok\": true}\n{\"id\": 10, \"ok\": 1}\n{\"ok\": false}\n");

    StagedData staged = stage(spec("data/*.ndjson", "json").quarantine());

    assertThat(columns(staged.relation()))
        .containsExactly("id BIGINT", "ok BOOLEAN", "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id NULLS LAST"))
        .extracting(row -> row.get(0))
        .containsExactly(6L, 7L, 8L, 9L, null);
    assertThat(rejected(staged))
        .containsExactly(
            "data/a.ndjson:3 column \"id\": \"oops\" is not a valid BIGINT",
            "data/b.ndjson:2 column \"ok\": 1 is not a valid BOOLEAN");
    assertThat(rows(staged.rejectedRelation(), "_source_file, _line"))
        .extracting(row -> row.get(2))
        .containsExactly("{\"id\":\"oops\",\"ok\":null}", "{\"id\":10,\"ok\":1}");
  }

  @Test
  void aValueOfAnotherTypeInAColumnOfNumbersFailsTheLoadWithoutQuarantine() {
    write("data/a.ndjson", "{\"id\": 6}\n{\"id\": 7}\n{\"id\": \"oops\"}\n{\"id\": 8.5}\n");

    assertThatThrownBy(() -> stage(spec("data/a.ndjson", "json")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Malformed record in data/a.ndjson at line 3: column \"id\": \"oops\" is not a valid"
                + " DOUBLE.");
  }

  @Test
  void declaredColumnsNeitherRoundFractionsNorTurnNumbersIntoBooleans() {
    write(
        "data/a.ndjson",
        "{\"id\": 1, \"ok\": true}\n{\"id\": 7.5, \"ok\": false}\n{\"id\": 3, \"ok\": 6}\n"
            + "{\"id\": \"12\", \"ok\": \"true\"}\n");

    StagedData staged =
        stage(
            spec("data/a.ndjson", "json")
                .quarantine()
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("ok", Types.BooleanType.get())));

    assertThat(rows(staged.relation(), "id"))
        .extracting(row -> row.get(0) + " " + row.get(1))
        .containsExactly("1 true", "12 true");
    assertThat(rejected(staged))
        .containsExactly(
            "data/a.ndjson:2 column \"id\": 7.5 is not a valid BIGINT",
            "data/a.ndjson:3 column \"ok\": 6 is not a valid BOOLEAN");
  }

  @Test
  void enforcesDeclaredColumns() {
    write(
        "data/orders.ndjson",
        """
        {"amount": "12.50", "id": 1, "day": "2024-01-31", "ignored": true}
        {"id": 2, "amount": 3, "day": null}
        """);

    StagedData staged =
        stage(
            spec("data/orders.ndjson", "json")
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("amount", Types.DecimalType.of(10, 2)),
                    new Column("day", Types.DateType.get()),
                    new Column("missing", Types.StringType.get())));

    assertThat(columns(staged.relation()))
        .containsExactly(
            "id BIGINT",
            "amount DECIMAL(10,2)",
            "day DATE",
            "missing VARCHAR",
            "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            java.util.Arrays.asList(
                1L, new BigDecimal("12.50"), LocalDate.of(2024, 1, 31), null, "data/orders.ndjson"),
            java.util.Arrays.asList(2L, new BigDecimal("3.00"), null, null, "data/orders.ndjson"));
  }

  @Test
  void badLinesFailNamingFileLineAndProblem() {
    write("data/orders.ndjson", "{\"id\": 1}\n{\"id\": 2, \"x\": 1\n{\"id\": 3}\n");

    assertThatThrownBy(() -> stage(spec("data/orders.ndjson", "json")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in data/orders.ndjson at line 2: invalid JSON")
        .hasMessageContaining("expected close marker for Object (opened at column 1)")
        .hasMessageNotContaining("REDACTED")
        .hasMessageContaining("on_error: quarantine");
  }

  @Test
  void badLinesAndWrongTypesAreQuarantined() {
    write(
        "data/orders.ndjson",
        String.join(
                "\n",
                "{\"id\": 1, \"amount\": 1.5}",
                "{\"id\": 2, \"amount\": \"abc\"}",
                "not json at all",
                "[1, 2]",
                "{\"id\": 5, \"amount\": 5} trailing",
                "{\"id\": 10} {\"id\": 11}",
                "{\"id\": \"six\", \"amount\": 6}",
                "{\"id\": 7, \"id\": 8}",
                "{\"id\": 9, \"amount\": null}")
            + "\n");

    StagedData staged =
        stage(
            spec("data/orders.ndjson", "json")
                .quarantine()
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("amount", Types.DoubleType.get())));

    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            List.of(1L, 1.5, "data/orders.ndjson"),
            java.util.Arrays.asList(9L, null, "data/orders.ndjson"));
    List<List<Object>> rejected = rows(staged.rejectedRelation(), "_line");
    assertThat(rejected).extracting(row -> row.get(1)).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(rejected.get(0).get(3))
        .isEqualTo("column \"amount\": \"abc\" is not a valid DOUBLE");
    assertThat(rejected.get(0).get(2)).isEqualTo("{\"id\":2,\"amount\":\"abc\"}");
    assertThat(rejected.get(1).get(2)).isEqualTo("not json at all");
    assertThat((String) rejected.get(1).get(3))
        .startsWith("invalid JSON at column 4: Unrecognized token 'not'");
    assertThat(rejected.get(2).get(3)).isEqualTo("the record is not a JSON object but an array");
    assertThat((String) rejected.get(3).get(3)).contains("Unrecognized token 'trailing'");
    assertThat((String) rejected.get(4).get(3))
        .isEqualTo("unexpected text after the JSON object at column 12");
    assertThat(rejected.get(5).get(3)).isEqualTo("column \"id\": \"six\" is not a valid BIGINT");
    assertThat((String) rejected.get(6).get(3)).contains("Duplicate field 'id'");
    assertThat(staged.rows() + staged.rejectedRows()).isEqualTo(9);
  }

  @Test
  void arrayElementsThatAreNotObjectsAreRejectedWithTheirLine() {
    write("data/orders.json", "[\n  {\"id\": 1},\n  42,\n  {\"id\": 3}\n]\n");

    StagedData staged = stage(spec("data/orders.json", "json").quarantine());

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(rejected(staged))
        .containsExactly("data/orders.json:3 the record is not a JSON object but a number");
  }

  @Test
  void aSyntaxErrorInAnArrayRejectsTheRestOfTheFile() {
    write("data/orders.json", "[\n  {\"id\": 1},\n  {\"id\": 2,,},\n  {\"id\": 3}\n]\n");

    StagedData staged = stage(spec("data/orders.json", "json").quarantine());

    assertThat(staged.rows()).isEqualTo(1);
    List<List<Object>> rejected = rows(staged.rejectedRelation(), "_line");
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).get(1)).isEqualTo(3L);
    assertThat(rejected.get(0).get(2)).isEqualTo("{\"id\": 2,,},\n  {\"id\": 3}\n]\n");
    assertThat((String) rejected.get(0).get(3))
        .startsWith("invalid JSON at line 3")
        .endsWith("the rest of the file from this record on cannot be read");
  }

  @Test
  void aFileThatIsNotJsonFailsEvenWhenQuarantining() {
    write("data/orders.json", "id,name\n1,a\n");

    assertThatThrownBy(() -> stage(spec("data/orders.json", "json").quarantine()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/orders.json is not a JSON file: it starts with 'i'");
  }

  @Test
  void anEmptyJsonFileFails() {
    write("data/orders.json", "  \n");

    assertThatThrownBy(() -> stage(spec("data/orders.json", "json")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/orders.json is empty");
  }

  @Test
  void anEmptyArrayStagesNoRows() {
    write("data/orders.json", "[]");

    StagedData staged =
        stage(spec("data/orders.json", "json").columns(new Column("id", Types.LongType.get())));

    assertThat(staged.rows()).isZero();
    assertThat(columns(staged.relation())).containsExactly("id BIGINT", "_source_file VARCHAR");
  }
}
