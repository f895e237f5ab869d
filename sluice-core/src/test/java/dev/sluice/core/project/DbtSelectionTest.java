package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dbt's selection beyond --select: test_type:, YAML selectors (selectors.yml), state:. */
class DbtSelectionTest {
  @TempDir Path project;

  private void writeProject() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            staging:
              +tags: [staging]
              +materialized: view
        """);
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n");
    write(
        project,
        "models/staging/stg_orders.sql",
        "select id as order_id, status from {{ ref('raw_orders') }}\n");
    write(
        project,
        "models/marts/orders.sql",
        "select order_id, status from {{ ref('stg_orders') }}\n");
    write(
        project, "models/marts/statuses.sql", "select distinct status from {{ ref('orders') }}\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: stg_orders
            columns:
              - name: order_id
                data_tests: [unique]
        """);
    write(
        project,
        "tests/no_empty_status.sql",
        "select * from {{ ref('orders') }} where status = ''\n");
  }

  private List<String> select(Project loaded, String... selectors) {
    return new Selector(loaded).select(List.of(selectors), List.of());
  }

  @Test
  void testTypeSelectsTheAssetsWithTestsOfThatType() {
    writeProject();
    Project loaded = Project.load(project, Map.of());
    assertThat(select(loaded, "test_type:generic")).containsExactly("stg_orders");
    assertThat(select(loaded, "test_type:singular")).containsExactly("orders");
    assertThat(select(loaded, "test_type:data")).containsExactly("stg_orders", "orders");
    assertThatThrownBy(() -> select(loaded, "test_type:singlar"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown test type 'singlar'")
        .hasMessageContaining("singular");
  }

  @Test
  void yamlSelectorsSelectAsDbtDefinesThem() {
    writeProject();
    write(
        project,
        "selectors.yml",
        """
        selectors:
          - name: marts
            description: the marts and what they read, without seeds
            definition:
              union:
                - method: path
                  value: models/marts
                  parents: true
                - exclude:
                    - method: resource_type
                      value: seed
          - name: staging_and_children
            default: true
            definition:
              method: tag
              value: staging
              children: true
              children_depth: 1
          - name: both
            definition:
              intersection:
                - 'path:models/marts'
                - {method: selector, value: staging_and_children}
          - name: short
            definition: {tag: staging}
        """);
    Project loaded = Project.load(project, Map.of());
    assertThat(select(loaded, "selector:marts"))
        .containsExactly("stg_orders", "orders", "statuses");
    assertThat(select(loaded, "selector:staging_and_children"))
        .containsExactly("stg_orders", "orders");
    assertThat(select(loaded, "selector:both")).containsExactly("orders");
    assertThat(select(loaded, "selector:short")).containsExactly("stg_orders");
    assertThat(new Selector(loaded).defaultSelector()).contains("staging_and_children");

    assertThatThrownBy(() -> select(loaded, "selector:mart"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("selectors.yml")
        .hasMessageContaining("Unknown selector 'mart'")
        .hasMessageContaining("marts");
  }

  @Test
  void badSelectorsAreErrorsAtTheirLineInSelectorsYml() {
    writeProject();
    write(
        project,
        "selectors.yml",
        """
        selectors:
          - name: loop
            definition: {method: selector, value: again}
          - name: again
            definition: {method: selector, value: loop}
          - name: typo
            definition:
              method: tagg
              value: staging
          - name: odd
            definition:
              method: tag
              value: staging
              childen: true
        """);
    Project loaded = Project.load(project, Map.of());
    assertThatThrownBy(() -> select(loaded, "selector:loop"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("selectors.yml:2")
        .hasMessageContaining("Selector 'loop' reads itself: loop -> again -> loop");
    assertThatThrownBy(() -> select(loaded, "selector:typo"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("selectors.yml:8")
        .hasMessageContaining("Unknown selector method 'tagg:'");
    assertThatThrownBy(() -> select(loaded, "selector:odd"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("selectors.yml:14")
        .hasMessageContaining("Unknown key 'childen'")
        .hasMessageContaining("children");
  }

  @Test
  void stateModifiedComparesWithAPreviousManifest() throws IOException {
    writeProject();
    Path state = project.resolve("prod-target");
    Files.createDirectories(state);
    Project before = Project.load(project, Map.of());
    Files.writeString(
        state.resolve("manifest.json"),
        new DbtArtifacts(before).manifest("previous", Instant.now()).toString());

    // unchanged: nothing is modified
    Project same = Project.load(project, Map.of(), Invocation.NONE.withState(state));
    assertThat(new Selector(same).select(List.of("state:modified"), List.of())).isEmpty();

    // a body edited, a config changed, a model added
    write(
        project,
        "models/marts/orders.sql",
        "select order_id, upper(status) as status from {{ ref('stg_orders') }}\n");
    write(
        project,
        "models/marts/statuses.sql",
        "{{ config(materialized='table') }}\nselect distinct status from {{ ref('orders') }}\n");
    write(project, "models/marts/counts.sql", "select count(*) as n from {{ ref('orders') }}\n");
    Project after = Project.load(project, Map.of(), Invocation.NONE.withState(state));
    assertThat(select(after, "state:modified")).containsExactly("orders", "counts", "statuses");
    assertThat(select(after, "state:new")).containsExactly("counts");
    // the config() call is in the file, so its body changed too; only the tree changes configs
    // alone
    assertThat(select(after, "state:modified.body"))
        .containsExactly("orders", "counts", "statuses");
    assertThat(select(after, "state:modified.configs")).containsExactly("counts", "statuses");
    assertThat(select(after, "state:modified+")).containsExactly("orders", "counts", "statuses");
    assertThat(select(after, "state:modified,config.materialized:table"))
        .containsExactly("statuses");

    // a config changed in dbt_project.yml alone
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        models:
          shop:
            staging:
              +tags: [staging, daily]
              +materialized: view
        """);
    Project tree = Project.load(project, Map.of(), Invocation.NONE.withState(state));
    assertThat(select(tree, "state:modified.configs"))
        .containsExactly("stg_orders", "counts", "statuses");
    assertThat(select(tree, "state:modified.body")).containsExactly("orders", "counts", "statuses");
  }

  @Test
  void stateModifiedComparesSourcesByTheirPropertiesAsDbtDoes() throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "data/orders.csv", "id\n1\n");
    String sources =
        """
        version: 2
        sources:
          - name: shop
            loader: fivetran
            freshness: {warn_after: {count: 1, period: day}}
            loaded_at_field: _loaded_at
            tables:
              - name: orders
                description: The orders
                meta: {external_location: 'data/orders.csv'}
              - name: payments
                meta: {external_location: 'data/orders.csv'}
              - name: refunds
                meta: {external_location: 'data/orders.csv'}
        """;
    write(project, "models/sources.yml", sources);
    write(project, "models/m.sql", "select * from {{ source('shop', 'orders') }}\n");
    Path state = project.resolve("prod-target");
    Files.createDirectories(state);
    Files.writeString(
        state.resolve("manifest.json"),
        new DbtArtifacts(Project.load(project, Map.of()))
            .manifest("previous", Instant.now())
            .toString());
    Project same = Project.load(project, Map.of(), Invocation.NONE.withState(state));
    assertThat(select(same, "state:modified")).isEmpty();

    // a description is no change; freshness, identifier and quoting are
    write(
        project,
        "models/sources.yml",
        sources
            .replace("description: The orders", "description: All the orders")
            .replace(
                "      - name: payments\n",
                "      - name: payments\n        freshness: {warn_after: {count: 2, period: day}}\n")
            .replace(
                "      - name: refunds\n",
                "      - name: refunds\n        identifier: refund_rows\n"
                    + "        quoting: {identifier: true}\n"));
    Project after = Project.load(project, Map.of(), Invocation.NONE.withState(state));
    assertThat(select(after, "state:modified"))
        .containsExactlyInAnyOrder("shop.payments", "shop.refunds");
    assertThat(select(after, "state:modified.relation")).containsExactly("shop.refunds");
    assertThat(select(after, "state:modified.body")).isEmpty();
    assertThat(select(after, "state:modified+"))
        .containsExactlyInAnyOrder("shop.payments", "shop.refunds");
    // a loader is no change either, as in dbt; the source's freshness changes all its tables
    write(
        project,
        "models/sources.yml",
        sources
            .replace("fivetran", "airbyte")
            .replace("count: 1, period: day", "count: 3, period: day"));
    assertThat(
            select(
                Project.load(project, Map.of(), Invocation.NONE.withState(state)),
                "state:modified+"))
        .containsExactlyInAnyOrder("shop.orders", "m", "shop.payments", "shop.refunds");
  }

  @Test
  void stateWithoutAManifestIsAClearError() {
    writeProject();
    Project noState = Project.load(project, Map.of());
    assertThatThrownBy(() -> select(noState, "state:modified"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("give its directory with --state DIR");

    Path missing = project.resolve("nowhere");
    Project withState = Project.load(project, Map.of(), Invocation.NONE.withState(missing));
    assertThatThrownBy(() -> select(withState, "state:modified"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("No manifest.json in the --state directory " + missing);
    assertThatThrownBy(() -> select(withState, "state:modifed"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown state 'state:modifed'");
  }
}
