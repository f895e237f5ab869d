package dev.sluice.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data diff of a table an environment rebuilt in full, large enough to be hashed in buckets
 * first ({@link DataDiff#BUCKETED_ROWS}): only the rows of the buckets whose hashes differ are
 * compared row by row, and the counts are those of a comparison of every row. Real Iceberg on
 * SQLite, real DuckDB.
 */
class DataDiffTest {
  private static final TableName TABLE = new TableName("curated", "big");
  private static final long ROWS = 150_000;

  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private Workspace open() {
    return Workspace.open(Project.load(project));
  }

  /** The model: ids 0 to rows - 1 but {@code without}, each with {@code value}. */
  private void model(long rows, String value, String without) throws IOException {
    write(
        "models/curated/big.sql",
        "select id, "
            + value
            + " as v from (select range::bigint as id, (range % 1000)::bigint as v from range("
            + rows
            + ")) where id not in ("
            + without
            + ")\n");
  }

  private static void buildDev(Workspace workspace) {
    assertThat(
            new Environments(workspace)
                .build("dev", RunOptions.all(), RunListener.NONE)
                .succeeded())
        .isTrue();
  }

  @BeforeEach
  void productionIsBuilt() throws IOException {
    write("sluice.yaml", "name: diff\n");
    model(ROWS, "v", "-1");
    try (Workspace workspace = open()) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
  }

  @Test
  void aRebuiltTableIsComparedRowByRowOnlyWhereItsBucketsHashApart() throws Exception {
    // three values changed, id 3 removed, id 150000 added
    model(ROWS + 1, "case when id % 50000 = 7 then v + 1 else v end", "3");
    try (Workspace workspace = open()) {
      buildDev(workspace);

      DataDiff.Result keyed = new DataDiff(workspace).diff(TABLE, "dev", List.of("id"));
      assertThat(keyed.productionRows()).isEqualTo(ROWS);
      assertThat(keyed.environmentRows()).isEqualTo(ROWS);
      assertThat(keyed.sharedFiles()).isZero();
      assertThat(keyed.onlyInProduction()).isEqualTo(1);
      assertThat(keyed.onlyInEnvironment()).isEqualTo(1);
      assertThat(keyed.changed()).isEqualTo(3);
      assertThat(keyed.changedByColumn()).isEqualTo(Map.of("v", 3L));
      assertThat(keyed.sample().rows())
          .extracting(row -> ((Number) row.get(0)).longValue())
          .containsExactly(7L, 50_007L, 100_007L);
      // at most five buckets (of about 300) differ: a few thousand rows compared, not 300,000
      assertThat(keyed.sameBuckets()).isGreaterThan(250);
      assertThat(keyed.comparedRows()).isPositive().isLessThan(30_000);

      DataDiff.Result rows = new DataDiff(workspace).diff(TABLE, "dev", List.of());
      assertThat(rows.onlyInProduction()).isEqualTo(4);
      assertThat(rows.onlyInEnvironment()).isEqualTo(4);
      assertThat(rows.changed()).isNull();
      assertThat(rows.sample().rows()).hasSize(4);
      assertThat(rows.sameBuckets()).isGreaterThan(250);
      assertThat(rows.comparedRows()).isPositive().isLessThan(30_000);
    }
  }

  @Test
  void aRetypedColumnIsComparedWithoutHashingFirst() throws Exception {
    model(ROWS, "(case when id = 10 then v + 1 else v end)::double", "-1");
    try (Workspace workspace = open()) {
      buildDev(workspace);
      DataDiff.Result keyed = new DataDiff(workspace).diff(TABLE, "dev", List.of("id"));
      assertThat(keyed.changed()).isEqualTo(1);
      assertThat(keyed.onlyInProduction()).isZero();
      assertThat(keyed.onlyInEnvironment()).isZero();
      assertThat(keyed.sameBuckets()).isZero();
      assertThat(keyed.comparedRows()).isEqualTo(2 * ROWS);
    }
  }
}
