package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code classification:} of a column, as docs/reference/project-files.md and DESIGN.md say. */
class ColumnClassificationTest {
  @TempDir Path root;

  @Test
  void columnsOfSourcesModelsAndSeedsKeepTheirClassification() {
    write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    write(
        root,
        "sources/crm.yaml",
        """
        connector: postgres
        options:
          url: jdbc:postgresql://localhost/crm
        tables:
          - name: customers
            columns:
              - name: email
                classification: pii
                description: Where we write to
        """);
    write(root, "models/curated/customers.sql", "select * from {{ source('crm', 'customers') }}\n");
    write(
        root,
        "models/curated/customers.yaml",
        """
        models:
          - name: customers
            columns:
              - name: email
                classification: pii
              - name: id
        """);
    Project project = Project.load(root);
    assertThat(project.sourceTable("crm", "customers").orElseThrow().columns())
        .singleElement()
        .satisfies(column -> assertThat(column.classification()).isEqualTo("pii"));
    assertThat(project.models().get("customers").columns())
        .extracting(ColumnDef::classification)
        .containsExactly("pii", null);
  }

  @Test
  void theOldPluralSpellingIsAnErrorThatSuggestsTheKey() {
    write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    write(root, "models/curated/customers.sql", "select 1 as email\n");
    write(
        root,
        "models/curated/customers.yaml",
        """
        models:
          - name: customers
            columns:
              - name: email
                classifications: [pii]
        """);
    assertThat(TestProjects.onlyProblem(root).toString())
        .contains("models/curated/customers.yaml:5")
        .contains("classifications")
        .contains("classification");
  }
}
