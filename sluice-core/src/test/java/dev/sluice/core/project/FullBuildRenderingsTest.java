package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's SQL as rendered for a full build is the same whether loading's rendering is kept or the
 * model is rendered again, and loading's is kept exactly when it rendered with the names a full
 * build renders with.
 */
class FullBuildRenderingsTest {
  @TempDir Path root;

  @Test
  void loadingsRenderingIsAFullBuildsWhenItsNamesAreTheModelsTables() {
    write(root, "sluice.yaml", "name: shop\nvars: {min_amount: 6}\n");
    write(
        root,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n    mode: full\n");
    write(root, "seeds/countries.csv", "code,name\nFI,Finland\n");
    write(
        root,
        "models/curated/orders_clean.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\n"
            + "select * from {{ source('shop', 'orders') }}\n"
            + "{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %};\n");
    write(
        root,
        "models/published/revenue.sql",
        "select sum(amount) as revenue from {{ ref('orders_clean') }}"
            + " where amount >= {{ var('min_amount') }}\n");
    write(
        root,
        "models/published/report.sql",
        "select r.revenue, c.name from {{ ref('revenue') }} r, {{ ref('countries') }} c\n");
    // a model at the root of models/ whose zone its config() gives: loading rendered {{ this }}
    // and a ref() to it as curated tables
    write(
        root,
        "models/moved.sql",
        "{{ config(zone='published') }}\nselect 1 as x from {{ this }}\n");
    write(root, "models/curated/reads_moved.sql", "select x from {{ ref('moved') }}\n");
    write(
        root,
        "models/curated/daily.sql",
        "select DATE '{{ start }}' as day, count(*) as n from {{ ref('orders_clean') }}\n");
    write(
        root,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: day, grain: daily, start: 2024-01-01}\n");

    Project project = Project.load(root);
    FullBuildRenderings renderings = project.renderings();
    for (ModelDef model : project.models().values()) {
      String rendered =
          new SqlRenderer().render(model, SqlRenderer.RenderContext.of(project, model, false));
      assertThat(project.renderedForFullBuild(model)).as(model.name()).isEqualTo(rendered);
    }
    for (String kept : new String[] {"orders_clean", "revenue", "report", "daily"}) {
      assertThat(renderings.keptFromLoading(project, project.models().get(kept))).as(kept).isTrue();
    }
    assertThat(renderings.keptFromLoading(project, project.models().get("moved"))).isFalse();
    assertThat(renderings.keptFromLoading(project, project.models().get("reads_moved"))).isFalse();
    assertThat(project.renderedForFullBuild(project.models().get("reads_moved")))
        .contains("\"published\".\"moved\"");
    assertThat(project.renderedForFullBuild(project.models().get("orders_clean")))
        .doesNotContain("max(id)")
        .doesNotEndWith(";\n");
  }
}
