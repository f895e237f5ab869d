package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
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
        .satisfies(column -> assertThat(column.classification().tags()).containsExactly("pii"));
    assertThat(project.models().get("customers").columns())
        .extracting(
            column -> column.classification() == null ? null : column.classification().tags())
        .containsExactly(List.of("pii"), null);
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

  @Test
  void tagsAreAListAndAnEmptyListOnAModelColumnNeedsAReason() {
    write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    write(root, "models/curated/customers.sql", "select 1 as email, 2 as email_hash\n");
    write(
        root,
        "models/curated/customers.yaml",
        """
        models:
          - name: customers
            columns:
              - name: email
                classification: [pii, pii.email, marketing_consent]
              - name: email_hash
                classification: []
                classification_reason: hashed with a secret key
        """);
    Project project = Project.load(root);
    List<ColumnDef> columns = project.models().get("customers").columns();
    assertThat(columns.get(0).classification().tags())
        .containsExactly("pii", "pii.email", "marketing_consent");
    assertThat(columns.get(0).classification().location().toString())
        .isEqualTo("models/curated/customers.yaml:5");
    assertThat(columns.get(1).classification().cleared()).isTrue();
    assertThat(columns.get(1).classification().reason()).isEqualTo("hashed with a secret key");
  }

  @Test
  void anEmptyClassificationWithoutAReasonIsAnErrorAtItsLine() {
    write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    write(root, "models/curated/customers.sql", "select 1 as email_hash\n");
    write(
        root,
        "models/curated/customers.yaml",
        """
        models:
          - name: customers
            columns:
              - name: email_hash
                classification: []
        """);
    assertThat(TestProjects.onlyProblem(root).toString())
        .contains("models/curated/customers.yaml:5")
        .contains("drops the tags it inherits")
        .contains("classification_reason");
  }

  @Test
  void badTagShapesAndAReasonWithoutClassificationAreErrorsAtTheirLines() {
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
                classification: [PII Email]
              - name: phone
                classification_reason: not personal
              - name: note
                classification: {pii: true}
        """);
    assertThat(TestProjects.problems(root))
        .extracting(Object::toString)
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .contains("sources/crm.yaml:8")
                    .contains("Invalid classification tag 'PII Email'")
                    .contains("pii.email"))
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .contains("sources/crm.yaml:10")
                    .contains("'classification_reason'")
                    .contains("without 'classification'"))
        .anySatisfy(
            problem ->
                assertThat(problem).contains("sources/crm.yaml:12").contains("classification"));
  }
}
