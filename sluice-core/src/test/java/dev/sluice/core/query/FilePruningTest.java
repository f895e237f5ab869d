package dev.sluice.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.lake.ReadPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scan planning uses a query's simple predicates to skip files; results never change. */
class FilePruningTest {
  private static final TableName EVENTS = new TableName("raw", "app_events");

  @TempDir Path project;

  @Test
  void simplePredicatesPruneFilesAndOthersDoNot() throws Exception {
    Files.writeString(project.resolve("sluice.yaml"), "name: pruning\n");
    Files.createDirectories(project.resolve("sources"));
    Files.writeString(
        project.resolve("sources/app.yaml"),
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    Files.createDirectories(project.resolve("data"));
    Files.writeString(project.resolve("data/1.csv"), "id,day\n1,2024-01-01\n2,2024-01-02\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      Files.writeString(project.resolve("data/2.csv"), "id,day\n100,2024-02-01\n101,2024-02-02\n");
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();

      assertThat(files(workspace, "select * from raw.app_events")).isEqualTo(2);
      assertThat(files(workspace, "select * from raw.app_events where id >= 100")).isEqualTo(1);
      assertThat(files(workspace, "select * from raw.app_events where 50 > id")).isEqualTo(1);
      assertThat(files(workspace, "select * from raw.app_events where id between 1 and 2"))
          .isEqualTo(1);
      assertThat(files(workspace, "select * from raw.app_events where day = '2024-02-01'"))
          .isEqualTo(1);
      assertThat(files(workspace, "select * from raw.app_events where id = 5 or id = 100"))
          .isEqualTo(2);
      assertThat(files(workspace, "select * from raw.app_events where no_such_column = 1"))
          .isEqualTo(2);
      assertThat(files(workspace, "select * from raw.app_events where id = 'text'")).isEqualTo(2);

      QueryService queries = new QueryService(workspace);
      assertThat(
              queries
                  .query(
                      "select id from raw.app_events where id >= 100 order by id",
                      ReadPoint.main(),
                      10)
                  .rows())
          .extracting(row -> row.get(0))
          .containsExactly(100L, 101L);
      assertThat(
              queries
                  .query(
                      "select count(*) from raw.app_events where day < '2024-02-01'",
                      ReadPoint.main(),
                      10)
                  .rows()
                  .get(0)
                  .get(0))
          .isEqualTo(2L);
    }
  }

  private static int files(Workspace workspace, String sql) {
    return workspace
        .lake()
        .scan(EVENTS, ReadPoint.main(), FilePruning.filterFor(sql))
        .dataFiles()
        .size();
  }

  @Test
  void joinsAndUnparsableQueriesPruneNothing() {
    assertThat(FilePruning.filterFor("select * from a join b using (id) where id = 1"))
        .isEqualTo(Expressions.alwaysTrue());
    assertThat(FilePruning.filterFor("select * from raw.a where id = 1 and"))
        .isEqualTo(Expressions.alwaysTrue());
    assertThat(
            FilePruning.filterFor(
                "with t as (select id + 1000 as id from raw.a) select * from t where id = 1"))
        .isEqualTo(Expressions.alwaysTrue());
    assertThat(FilePruning.filterFor("select * from raw.a where id in (select 1)"))
        .isEqualTo(Expressions.alwaysTrue());
    assertThat(FilePruning.filterFor("select * from raw.a where id = 7").toString()).contains("7");
  }

  @Test
  void aComparisonOfAFunctionOfAColumnPrunesNothing() {
    // it threw a ClassCastException (the function cast to a column), failing the query
    assertThat(
            FilePruning.filterFor(
                "select * from raw.a where strftime(ts, '%Y-%m-%d') = '2024-01-01'"))
        .isEqualTo(Expressions.alwaysTrue());
    assertThat(FilePruning.filterFor("select * from raw.a where '2024-01-01' < lower(name)"))
        .isEqualTo(Expressions.alwaysTrue());
  }
}
