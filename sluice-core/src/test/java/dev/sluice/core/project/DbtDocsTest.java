package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.problems;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException.Problem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's docs blocks ({@code {% docs name %}} in {@code .md} files) and {@code {{ doc('name') }}} in
 * descriptions: the description is the block's text, the manifest lists the blocks, and a missing
 * doc is a problem at the description's line.
 */
class DbtDocsTest {
  @TempDir Path project;

  @Test
  void descriptionsReadDocsBlocksAndTheManifestListsThem() {
    DbtProjectTest.copyFixture("jaffle_shop", project);
    write(
        project,
        "models/staging/staging.md",
        """
        # Staging

        {% docs customer_id %}
        The customer's id, {{ 'unique' | upper }} per customer.
        {% enddocs %}
        """);
    write(
        project,
        "seeds/properties.yml",
        """
        version: 2
        seeds:
          - name: raw_customers
            description: "Customers, as loaded. {{ doc('customer_id') }} (v{{ var('first_order_year') }})"
            columns:
              - name: id
                description: "{{ doc('jaffle_shop', 'customer_id') }}"
        """);
    Project loaded = Project.load(project, Map.of());

    ColumnDef status =
        loaded.models().get("orders").columns().stream()
            .filter(column -> column.name().equals("status"))
            .findFirst()
            .orElseThrow();
    assertThat(status.description())
        .startsWith("Orders can be one of the following statuses:")
        .contains("| returned       | The order has been returned")
        .endsWith("|");
    SeedDef customers = loaded.seeds().get("raw_customers");
    assertThat(customers.description())
        .isEqualTo("Customers, as loaded. The customer's id, UNIQUE per customer. (v2018)");
    assertThat(customers.columns().get(0).description())
        .isEqualTo("The customer's id, UNIQUE per customer.");

    JsonNode docs = new DbtArtifacts(loaded).manifest("run", Instant.EPOCH).get("docs");
    assertThat(docs.get("doc.jaffle_shop.customer_id").get("original_file_path").asText())
        .isEqualTo("models/staging/staging.md");
    assertThat(docs.get("doc.jaffle_shop.customer_id").get("path").asText())
        .isEqualTo("staging/staging.md");
    assertThat(docs.get("doc.jaffle_shop.orders_status").get("block_contents").asText())
        .isEqualTo(status.description());
  }

  @Test
  void packagesDocsBlocksAreReadAndListed() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "dbt_packages/utils/dbt_project.yml", "name: utils\n");
    write(
        project,
        "dbt_packages/utils/models/docs/utils.md",
        "{% docs shared_id %}\nAn id all tables share.\n{% enddocs %}\n");
    write(project, "models/orders.sql", "select 1 as id\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            description: "{{ doc('utils', 'shared_id') }}"
            columns:
              - name: id
                description: "{{ doc('shared_id') }}"
        """);
    Project loaded = Project.load(project, Map.of());
    assertThat(loaded.models().get("orders").description()).isEqualTo("An id all tables share.");
    assertThat(loaded.models().get("orders").columns().get(0).description())
        .as("doc('name') finds a package's block when the project has none, as in dbt")
        .isEqualTo("An id all tables share.");
    JsonNode doc =
        new DbtArtifacts(loaded)
            .manifest("run", Instant.EPOCH)
            .get("docs")
            .get("doc.utils.shared_id");
    assertThat(doc.get("package_name").asText()).isEqualTo("utils");
    assertThat(doc.get("original_file_path").asText()).isEqualTo("models/docs/utils.md");
    assertThat(doc.get("path").asText()).isEqualTo("docs/utils.md");

    write(
        project,
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    description: \"{{ doc('utils', 'shared') }}\"\n");
    Problem problem = TestProjects.onlyProblem(project);
    assertThat(problem.location()).isEqualTo(new Location("models/schema.yml", 4));
    assertThat(problem.message())
        .isEqualTo(
            "Documentation for 'model.shop.orders' depends on doc 'shared' in package 'utils' which"
                + " was not found");
  }

  @Test
  void aMissingDocIsAProblemAtTheDescriptionsLine() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/orders.sql", "select 1 as id\n");
    write(project, "models/docs.md", "{% docs order_id %}The order.{% enddocs %}\n");
    write(
        project,
        "models/schema.yml",
        """
        version: 2
        models:
          - name: orders
            columns:
              - name: id
                description: "{{ doc('orders_id') }}"
        """);

    List<Problem> problems = problems(project);

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).location()).isEqualTo(new Location("models/schema.yml", 6));
    assertThat(problems.get(0).message())
        .isEqualTo(
            "Documentation for 'model.shop.orders' depends on doc 'orders_id' which was not"
                + " found");
    assertThat(problems.get(0).hint()).contains("did you mean 'order_id'?");
  }

  @Test
  void docsPathsNameWhereTheBlocksAre() {
    write(project, "dbt_project.yml", "name: shop\ndocs-paths: [docs]\n");
    write(project, "models/orders.sql", "select 1 as id\n");
    write(project, "docs/orders.md", "{% docs orders %}The orders.{% enddocs %}\n");
    write(
        project, "models/ignored.md", "{% docs orders %}Not read: not a docs path.{% enddocs %}\n");
    write(
        project,
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    description: \"{{ doc('orders') }}\"\n");

    assertThat(Project.load(project, Map.of()).models().get("orders").description())
        .isEqualTo("The orders.");
  }

  @Test
  void twoDocsOfOneNameAndDocInAModelAreProblems() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "models/orders.sql", "select 1 as id -- {{ doc('orders') }}\n");
    write(project, "models/a.md", "{% docs orders %}One.{% enddocs %}\n");
    write(project, "models/b.md", "\n\n{% docs orders %}Two.{% enddocs %}\n");

    List<Problem> problems = problems(project);

    assertThat(problems)
        .extracting(problem -> problem.location() + ": " + problem.message())
        .containsExactlyInAnyOrder(
            "models/b.md:3: dbt found two docs with the same name: 'orders' (also"
                + " models/a.md:1)",
            "models/orders.sql:1: doc() can only be used in a description of a properties file");
  }
}
