package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * A macro's default that is an expression with a call and a filter ({@code batch_size =
 * var('insert_batch_size') | int}, as dbt-project-evaluator writes it), which Jinjava's {@code {%
 * macro %}} would cut at its first {@code )}, is read as dbt reads it; a var of dbt_project.yml
 * written as a template is rendered, as dbt renders it, to a number. Such a default is evaluated at
 * each call that leaves its argument out, as Jinja2 evaluates it (the arguments before it known),
 * not when the macro files are read, where {@code var()} cannot be called.
 */
class DbtMacroDefaultsTest {
  @TempDir Path project;

  @Test
  void aDefaultWithACallAndAFilterIsItsValue() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        vars:
          insert_batch_size: "{{ 500 if target.type in ['athena', 'bigquery'] else 10000 }}"
        models:
          shop:
            +materialized: table
        """);
    write(
        project,
        "macros/batches.sql",
        "{% macro batches(rows, batch_size=var('insert_batch_size') | int, sep=', ',"
            + " twice=(rows * 2) | string) -%}\n"
            + "{{ (rows / batch_size) | round(0, 'ceil') | int }}{{ sep }}{{ batch_size + 1 }}"
            + "{{ sep }}{{ twice ~ '!' }}\n"
            + "{%- endmacro %}\n");
    write(
        project,
        "models/sizes.sql",
        "select '{{ batches(25000) }}' as defaulted, '{{ batches(30, 7, '; ') }}' as given\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(rows(new QueryService(workspace), "select defaulted, given from main.sizes"))
          .containsExactly(List.of("3, 10001, 50000!", "5; 8; 60!"));
    }
  }
}
