package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selection syntax on a small graph, and plans that say why each asset would run. */
class SelectionAndPlanTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: graph\n");
    write(
        project,
        "sources/crm.yaml",
        "connector: file\ntables:\n  - name: customers\n    path: data/customers.csv\n    tags: [pii]\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\ntables:\n  - name: orders\n    path: data/orders.csv\n    mode: append\n");
    write(project, "data/customers.csv", "customer_id,name\n1,Ada\n");
    write(project, "data/orders.csv", "order_id,customer_id,amount\n1,1,10\n");
    write(
        project, "models/curated/stg_orders.sql", "select * from {{ source('shop', 'orders') }}\n");
    write(
        project,
        "models/curated/stg_customers.sql",
        "select * from {{ source('crm', 'customers') }}\n");
    write(
        project,
        "models/curated/orders_enriched.sql",
        "select o.*, c.name from {{ ref('stg_orders') }} o join {{ ref('stg_customers') }} c using (customer_id)\n");
    write(
        project,
        "models/published/marts/revenue.sql",
        "select sum(amount) as revenue from {{ ref('orders_enriched') }}\n");
    write(
        project,
        "models/published/customer_count.sql",
        "select count(*) as n from {{ ref('stg_customers') }}\n");
    write(
        project,
        "models/published/properties.yaml",
        "models:\n  - name: revenue\n    tags: [finance]\n  - name: customer_count\n    tags: [finance, crm]\n");
  }

  private List<String> select(List<String> select, List<String> exclude) {
    return new Selector(Project.load(project)).select(select, exclude);
  }

  @Test
  void selectorsCombine() {
    assertThat(select(List.of(), List.of())).hasSize(7);
    assertThat(select(List.of("revenue"), List.of())).containsExactly("revenue");
    assertThat(select(List.of("+revenue"), List.of()))
        .containsExactlyInAnyOrder(
            "crm.customers",
            "shop.orders",
            "stg_customers",
            "stg_orders",
            "orders_enriched",
            "revenue");
    assertThat(select(List.of("1+revenue"), List.of()))
        .containsExactlyInAnyOrder("orders_enriched", "revenue");
    assertThat(select(List.of("stg_customers+"), List.of()))
        .containsExactlyInAnyOrder("stg_customers", "orders_enriched", "revenue", "customer_count");
    assertThat(select(List.of("stg_customers+1"), List.of()))
        .containsExactlyInAnyOrder("stg_customers", "orders_enriched", "customer_count");
    assertThat(select(List.of("tag:finance"), List.of()))
        .containsExactlyInAnyOrder("revenue", "customer_count");
    assertThat(select(List.of("tag:finance,tag:crm"), List.of())).containsExactly("customer_count");
    assertThat(select(List.of("tag:pii"), List.of())).containsExactly("crm.customers");
    assertThat(select(List.of("zone:raw"), List.of()))
        .containsExactlyInAnyOrder("crm.customers", "shop.orders");
    assertThat(select(List.of("path:models/published/marts"), List.of()))
        .containsExactly("revenue");
    assertThat(select(List.of("source:crm"), List.of())).containsExactly("crm.customers");
    assertThat(select(List.of("source:crm+"), List.of()))
        .as("dependency order")
        .containsExactly(
            "crm.customers", "stg_customers", "customer_count", "orders_enriched", "revenue");
    assertThat(select(List.of("tag:finance stg_orders"), List.of()))
        .containsExactlyInAnyOrder("stg_orders", "revenue", "customer_count");
    assertThat(select(List.of("+revenue"), List.of("zone:raw", "stg_orders")))
        .containsExactlyInAnyOrder("stg_customers", "orders_enriched", "revenue");
  }

  @Test
  void badSelectorsSayWhatIsWrong() {
    assertThatThrownBy(() -> select(List.of("revenu"), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("revenue");
    assertThatThrownBy(() -> select(List.of("source:crn"), List.of())).hasMessageContaining("crm");
    assertThatThrownBy(() -> select(List.of("color:red"), List.of())).hasMessageContaining("tag:");
    assertThatThrownBy(() -> select(List.of("tag:nothing"), List.of()))
        .hasMessageContaining("matches no asset");
  }

  @Test
  void planSaysWhyEachAssetWouldRun() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      List<PlannedStep> before = new Planner(workspace).plan(RunOptions.all());
      assertThat(before)
          .hasSize(7)
          .allSatisfy(step -> assertThat(step.reasons()).contains("new: not built yet"));

      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      PlannedStep revenue = step(new Planner(workspace).plan(RunOptions.all()), "revenue");
      assertThat(revenue.reasons()).containsExactly("up to date: rebuilt to keep it current");

      write(
          project,
          "models/published/marts/revenue.sql",
          "select sum(amount) * 2 as revenue from {{ ref('orders_enriched') }}\n");
      try (Workspace changed = Workspace.open(project)) {
        List<PlannedStep> plan =
            new Planner(changed).plan(new RunOptions(List.of("+revenue"), false));
        assertThat(step(plan, "revenue").reasons())
            .contains("changed: SQL or configuration differs from the last build");
        assertThat(step(plan, "shop.orders").reasons())
            .anyMatch(reason -> reason.startsWith("append:"));
        assertThat(
                new Runner(changed)
                    .run(new RunOptions(List.of("stg_orders"), false), RunListener.NONE)
                    .succeeded())
            .isTrue();
        assertThat(step(new Planner(changed).plan(RunOptions.all()), "orders_enriched").reasons())
            .contains("upstream updated: stg_orders");
      }
    }
  }

  @Test
  void aViewIsPlannedFromTheCatalogsListingAsATableIs() throws IOException {
    // the plan lists the catalog's tables and views once and looks up only the names listed
    write(
        project,
        "models/published/names.sql",
        "{{ config(materialized='view') }}\nselect name from {{ ref('stg_customers') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(step(new Planner(workspace).plan(RunOptions.all()), "names").reasons())
          .containsExactly("new: not built yet");
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      List<PlannedStep> built = new Planner(workspace).plan(RunOptions.all());
      assertThat(step(built, "names").reasons())
          .containsExactly("up to date: rebuilt to keep it current");
      assertThat(step(built, "stg_customers").reasons())
          .containsExactly("up to date: rebuilt to keep it current");
    }
    write(
        project,
        "models/published/names.sql",
        "{{ config(materialized='view') }}\nselect upper(name) as name from"
            + " {{ ref('stg_customers') }}\n");
    try (Workspace changed = Workspace.open(project)) {
      assertThat(step(new Planner(changed).plan(RunOptions.all()), "names").reasons())
          .containsExactly("changed: SQL or configuration differs from the last build");
    }
  }

  private static PlannedStep step(List<PlannedStep> plan, String asset) {
    return plan.stream().filter(s -> s.asset().equals(asset)).findFirst().orElseThrow();
  }
}
