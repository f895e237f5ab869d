package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.core.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's {@code parquet:} setting becomes each written table's Iceberg compression
 * properties, and the engine writes every data file as the table's properties say: those Sluice
 * set, and those another Iceberg writer set (Spark's {@code ALTER TABLE ... SET TBLPROPERTIES}).
 */
class ParquetCompressionTest {
  @TempDir Path project;

  private static final TableName LOADED = new TableName("raw", "shop_customers");
  private static final TableName BUILT = new TableName("curated", "customers_clean");

  @Test
  void theTablesPropertiesSayHowTheirFilesAreCompressedAndTheEngineWritesSo() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: customers\n    path: data/customers.csv\n");
    write(project, "data/customers.csv", "id,country\n1,de\n2,fr\n");
    write(
        project,
        "models/customers_clean.sql",
        "select id, upper(country) as country from {{ source('shop', 'customers') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      for (TableName name : List.of(LOADED, BUILT)) {
        Table table = workspace.lake().loadTable(name);
        assertThat(table.properties())
            .containsEntry(ParquetCompression.CODEC_PROPERTY, "zstd")
            .containsEntry(ParquetCompression.LEVEL_PROPERTY, "1");
        assertThat(codecs(workspace, table)).containsOnly("ZSTD");
      }
    }

    write(project, "sluice.yaml", "name: shop\nparquet:\n  compression: snappy\n");
    write(project, "data/customers.csv", "id,country\n1,de\n2,fr\n3,it\n");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      for (TableName name : List.of(LOADED, BUILT)) {
        Table table = workspace.lake().loadTable(name);
        assertThat(table.properties())
            .containsEntry(ParquetCompression.CODEC_PROPERTY, "snappy")
            .doesNotContainKey(ParquetCompression.LEVEL_PROPERTY);
        assertThat(codecs(workspace, table)).containsOnly("SNAPPY");
      }

      // a property another writer set is what the engine writes with
      Table table = workspace.lake().loadTable(BUILT);
      table.updateProperties().set(ParquetCompression.CODEC_PROPERTY, "gzip").commit();
      try (EngineSession session = workspace.engine().openSession()) {
        WrittenFile file =
            workspace
                .lake()
                .writeDataFile(
                    workspace.lake().loadTable(BUILT),
                    session,
                    "SELECT CAST(9 AS INTEGER) AS id, 'NL' AS country",
                    table.schema());
        assertThat(codec(session, file.location())).isEqualTo("GZIP");
      }
    }
  }

  @Test
  void aTablesOwnCompressionOverridesTheProjectsForItsFilesAlone() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: customers\n    path: data/customers.csv\n"
            + "    parquet: {compression: gzip}\n");
    write(project, "data/customers.csv", "id,country\n1,de\n2,fr\n");
    write(
        project,
        "models/customers_clean.sql",
        "{{ config(parquet={'compression': 'zstd', 'compression_level': 7}) }}\n"
            + "select id, upper(country) as country from {{ source('shop', 'customers') }}\n");
    TableName plain = new TableName("curated", "countries");
    write(
        project,
        "models/countries.sql",
        "select distinct country from {{ ref('customers_clean') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      Table loaded = workspace.lake().loadTable(LOADED);
      assertThat(loaded.properties())
          .containsEntry(ParquetCompression.CODEC_PROPERTY, "gzip")
          .doesNotContainKey(ParquetCompression.LEVEL_PROPERTY);
      assertThat(codecs(workspace, loaded)).containsOnly("GZIP");
      Table built = workspace.lake().loadTable(BUILT);
      assertThat(built.properties())
          .containsEntry(ParquetCompression.CODEC_PROPERTY, "zstd")
          .containsEntry(ParquetCompression.LEVEL_PROPERTY, "7");
      assertThat(codecs(workspace, built)).containsOnly("ZSTD");
      assertThat(workspace.lake().loadTable(plain).properties())
          .as("a model without its own: the project's")
          .containsEntry(ParquetCompression.CODEC_PROPERTY, "zstd")
          .containsEntry(ParquetCompression.LEVEL_PROPERTY, "1");
    }
  }

  private static void run(Workspace workspace) {
    RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
  }

  /** The codecs of the table's current data files, as their footers say. */
  private static List<String> codecs(Workspace workspace, Table table) {
    List<String> codecs = new ArrayList<>();
    try (EngineSession session = workspace.engine().openSession()) {
      for (DataFile file : SnapshotChanges.builderFor(table).build().addedDataFiles()) {
        codecs.add(codec(session, workspace.lake().readablePath(file.location())));
      }
    }
    return codecs;
  }

  private static String codec(EngineSession session, String path) {
    List<List<Object>> rows =
        session
            .query(
                "SELECT DISTINCT compression FROM parquet_metadata("
                    + dev.sluice.api.sql.SqlLiterals.literal(path)
                    + ")",
                10)
            .rows();
    assertThat(rows).hasSize(1);
    return (String) rows.get(0).get(0);
  }
}
