package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ProjectException.Problem;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dbt seeds' delimiter, column_types and quote_columns, as dbt-duckdb loads them. */
class DbtSeedsTest {
  @TempDir Path project;

  @Test
  void aSeedsDelimiterAndColumnTypesAreHowItsFileIsRead() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          shop:
            +quote_columns: true
            zips:
              +delimiter: "|"
              +column_types: {zip: varchar(5), amount: "decimal(10,2)"}
        """);
    write(project, "seeds/zips.csv", "id|zip|amount|city\n1|01234|10.5|Paris\n2|99999|3|Lyon\n");
    write(
        project,
        "seeds/seeds.yml",
        """
        version: 2
        seeds:
          - name: zips
            config:
              column_types: {city: "{{ 'varchar' if target.type == 'duckdb' else 'string' }}"}
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();

      // column_types of the tree and the properties add up, as in dbt
      // dbt-duckdb: zip stays text with its leading zero, amount a decimal(10,2), id inferred
      QueryService queries = new QueryService(workspace);
      assertThat(
              rows(
                  queries,
                  "select id, zip, amount, city, typeof(zip), typeof(amount), typeof(id)"
                      + " from main.zips order by id"))
          .containsExactly(
              List.of("1", "01234", "10.50", "Paris", "VARCHAR", "DECIMAL(10,2)", "BIGINT"),
              List.of("2", "99999", "3.00", "Lyon", "VARCHAR", "DECIMAL(10,2)", "BIGINT"));
    }
  }

  @Test
  void aColumnTypesColumnTheFileLacksFailsTheSeedNamingIt() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          shop:
            +column_types: {postcode: varchar}
        """);
    write(project, "seeds/zips.csv", "id,zip\n1,01234\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).isFalse();
      assertThat(result.steps().get(0).error())
          .contains("column_types of seed zips names [postcode]")
          .contains("its columns are [id, zip]");
    }
  }

  @Test
  void aBadTypeOrDelimiterIsAProblemAtItsLine() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        seeds:
          shop:
            zips:
              +delimiter: "||"
              +column_types:
                zip: varchr
        """);
    write(project, "seeds/zips.csv", "id,zip\n1,01234\n");

    List<Problem> problems = problems(project);

    assertThat(problems)
        .extracting(p -> p.location().toString(), Problem::message)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "dbt_project.yml:5",
                "The delimiter of seed 'zips' must be one character, got '||'"),
            org.assertj.core.groups.Tuple.tuple(
                "dbt_project.yml:7",
                "column_types of seed 'zips' gives column 'zip' the type 'varchr', which Sluice"
                    + " does not know"));
    assertThat(problems.get(problems.size() - 1).hint()).contains("varchar");
  }
}
