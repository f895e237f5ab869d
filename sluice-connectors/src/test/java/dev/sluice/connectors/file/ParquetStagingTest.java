package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.sql.SqlLiterals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class ParquetStagingTest extends FileConnectorTestBase {

  private void writeParquet(String relativePath, String select) throws Exception {
    Path path = project.resolve(relativePath);
    Files.createDirectories(path.getParent());
    session.execute(
        "COPY (" + select + ") TO " + SqlLiterals.literal(path.toString()) + " (FORMAT parquet)");
  }

  @Test
  void readsParquetUnitingColumnsByName() throws Exception {
    writeParquet("data/a.parquet", "SELECT range AS id, 'n' || range AS name FROM range(3)");
    writeParquet("data/b.parquet", "SELECT 10 AS id, 2.5::DOUBLE AS amount");

    StagedData staged = stage(spec("data/*.parquet", "parquet"));

    assertThat(staged.rows()).isEqualTo(4);
    assertThat(columns(staged.relation()))
        .containsExactly("id BIGINT", "name VARCHAR", "amount DOUBLE", "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            Arrays.asList(0L, "n0", null, "data/a.parquet"),
            Arrays.asList(1L, "n1", null, "data/a.parquet"),
            Arrays.asList(2L, "n2", null, "data/a.parquet"),
            Arrays.asList(10L, null, 2.5, "data/b.parquet"));
  }

  @Test
  void declaredColumnsConvertAndQuarantineWhatDoesNotConvert() throws Exception {
    writeParquet(
        "data/a.parquet",
        "SELECT * FROM (VALUES (1, '10', 'x'), (2, 'eleven', 'y'), (3, NULL, 'z'))"
            + " AS t(id, amount, other)");

    StagedData staged =
        stage(
            spec("data/a.parquet", "parquet")
                .quarantine()
                .columns(
                    new Column("amount", Types.LongType.get()),
                    new Column("id", Types.IntegerType.get())));

    assertThat(columns(staged.relation()))
        .containsExactly("amount BIGINT", "id INTEGER", "_source_file VARCHAR");
    assertThat(rows(staged.relation(), "id"))
        .containsExactly(
            Arrays.asList(10L, 1, "data/a.parquet"), Arrays.asList(null, 3, "data/a.parquet"));
    assertThat(rows(staged.rejectedRelation(), "_line"))
        .containsExactly(
            List.of(
                "data/a.parquet",
                2L,
                "{\"amount\":\"eleven\",\"id\":2}",
                "column \"amount\": \"eleven\" is not a valid BIGINT"));
  }

  @Test
  void declaredColumnsNeitherRoundFractionsNorTurnNumbersIntoBooleans() throws Exception {
    writeParquet(
        "data/a.parquet",
        "SELECT CAST(id AS DOUBLE) AS id, ok FROM (VALUES (1.0, 'true'), (7.5, 'false'),"
            + " (3.0, 'true')) AS t(id, ok)");
    writeParquet("data/b.parquet", "SELECT 4 AS id, 6 AS ok");

    StagedData staged =
        stage(
            spec("data/*.parquet", "parquet")
                .quarantine()
                .columns(
                    new Column("id", Types.LongType.get()),
                    new Column("ok", Types.BooleanType.get())));

    assertThat(rows(staged.relation(), "id"))
        .extracting(row -> row.get(0) + " " + row.get(1))
        .containsExactly("1 true", "3 true");
    assertThat(rejected(staged))
        .containsExactly(
            "data/a.parquet:2 column \"id\": \"7.5\" is not a valid BIGINT",
            "data/b.parquet:1 column \"ok\": \"6\" is not a valid BOOLEAN");
  }

  @Test
  void declaredTypeMismatchFailsNamingFileAndRow() throws Exception {
    writeParquet("data/a.parquet", "SELECT * FROM (VALUES ('1'), ('x')) AS t(id)");

    assertThatThrownBy(
            () ->
                stage(
                    spec("data/a.parquet", "parquet")
                        .columns(new Column("id", Types.LongType.get()))))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Malformed record in data/a.parquet at row 2: column \"id\": \"x\" is not a valid BIGINT");
  }

  @Test
  void declaredColumnMissingFromAFileFails() throws Exception {
    writeParquet("data/a.parquet", "SELECT 1 AS id");

    assertThatThrownBy(
            () ->
                stage(
                    spec("data/a.parquet", "parquet")
                        .columns(
                            new Column("id", Types.LongType.get()),
                            new Column("name", Types.StringType.get()))))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data/a.parquet has no column 'name'");
  }

  @Test
  void aTextFileNamedParquetFailsNamingTheFile() {
    write("data/a.parquet", "this is not parquet, just some text that is long enough\n");

    assertThatThrownBy(() -> stage(spec("data/*.parquet", "parquet").quarantine()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("data/a.parquet is not a Parquet file DuckDB can read (");
  }

  @Test
  void anEmptyParquetFileFails() {
    write("data/a.parquet", "");

    assertThatThrownBy(() -> stage(spec("data/a.parquet", "parquet")))
        .isInstanceOf(DataException.class)
        .hasMessage("data/a.parquet is empty, which is not a Parquet file");
  }

  @Test
  void csvOptionsAreRefusedForParquet() throws Exception {
    writeParquet("data/a.parquet", "SELECT 1 AS id");

    assertThatThrownBy(
            () ->
                stage(
                    spec("data/a.parquet", "parquet").options(java.util.Map.of("delimiter", ";"))))
        .isInstanceOf(dev.sluice.api.InvalidInputException.class)
        .hasMessageContaining("apply only to CSV");
  }
}
