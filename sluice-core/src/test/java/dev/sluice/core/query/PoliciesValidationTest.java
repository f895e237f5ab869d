package dev.sluice.core.query;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mistake in policies.yaml is a project error with the file, the line and, for a misspelt
 * name, the closest one; SQL of filters and custom masks is checked at validate, not at query time.
 */
class PoliciesValidationTest {
  @TempDir Path project;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "seeds/people.csv", "id,email,country\n1,a@b.com,DE\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        project,
        "models/published/models.yaml",
        "models:\n  - name: customers\n    columns:\n      - {name: id}\n"
            + "      - {name: email, classification: [pii.email]}\n      - {name: country}\n");
  }

  private static final String VALID =
      """
      users:
        - name: ana
          roles: [analyst]
          attributes: {country: DE}
      roles:
        - name: analyst
      grants:
        - role: analyst
          privileges: [read]
          on: published.*
      """;

  private String problems(String policies) throws IOException {
    write(project, "policies.yaml", policies);
    try {
      Project.load(project);
    } catch (ProjectException e) {
      return e.getMessage();
    }
    throw new AssertionError("no problem reported");
  }

  @Test
  void aValidFileLoads() throws IOException {
    write(project, "policies.yaml", VALID);
    assertThat(Project.load(project).policies().users()).hasSize(1);
  }

  @Test
  void aProjectWithoutPoliciesHasNone() {
    assertThat(Project.load(project).policies().declared()).isFalse();
  }

  @Test
  void unknownRolesAreNamedWithTheClosestOne() throws IOException {
    assertThat(problems(VALID.replace("roles: [analyst]", "roles: [analyts]")))
        .contains("policies.yaml:3: Unknown role 'analyts' in roles (did you mean 'analyst'?)");
  }

  @Test
  void theRoleNamesOfAccessRequestsAreReserved() throws IOException {
    assertThat(
            problems(
                VALID.replace(
                    "roles:\n  - name: analyst\n",
                    "roles:\n  - name: analyst\n  - name: request#7\n")))
        .contains(
            "policies.yaml:7: Role name 'request#7' is reserved for the grants of access requests"
                + " (choose a name that does not start with 'request#')");
  }

  @Test
  void unknownGroupsAndInheritedRoles() throws IOException {
    assertThat(
            problems(
                VALID
                    + "groups:\n  - name: team\n    roles: [analyst]\n"
                    + "  - name: other\n    roles: [nobody]\n"))
        .contains("Unknown role 'nobody'");
    assertThat(
            problems(
                VALID.replace("    roles: [analyst]\n", "    groups: [taem]\n")
                    + "groups:\n  - name: team\n"))
        .contains("Unknown group 'taem' for user ana (did you mean 'team'?)");
    assertThat(
            problems(
                VALID.replace(
                    "  - name: analyst\n", "  - name: analyst\n    inherits: [analyst]\n")))
        .contains("Role analyst inherits itself");
  }

  @Test
  void grantsOnMissingTablesAndUnknownPrivileges() throws IOException {
    assertThat(problems(VALID.replace("on: published.*", "on: published.customer")))
        .contains(
            "policies.yaml:10: Table published.customer is not a table of the project (did you"
                + " mean 'published.customers'?)");
    assertThat(problems(VALID.replace("privileges: [read]", "privileges: [raed]")))
        .contains("policies.yaml:9: Unknown privilege 'raed' (did you mean 'read'?)");
    assertThat(problems(VALID.replace("on: published.*", "on: gold.*")))
        .contains("Invalid table pattern: 'gold' is not a zone");
    assertThat(
            problems(
                VALID.replace("on: published.*", "on: published.customers\n    columns: [emial]")))
        .contains("Column 'emial' is not a column of published.customers (did you mean 'email'?)");
  }

  @Test
  void unknownTagsAndOverlappingMasks() throws IOException {
    assertThat(problems(VALID + "masks:\n  - tag: pii.emial\n    mask: redact\n"))
        .contains(
            "policies.yaml:12: Unknown tag 'pii.emial': no column of the project carries it (did"
                + " you mean 'pii.email'?)");
    assertThat(
            problems(
                VALID
                    + "masks:\n  - tag: pii\n    mask: redact\n"
                    + "  - column: published.customers.email\n    mask: \"null\"\n"))
        .contains(
            "policies.yaml:14: Masks overlap on published.customers.email: this null mask"
                + " (published.customers.email) and the redact mask on line 12 (tag pii)");
    assertThat(problems(VALID + "masks:\n  - column: published.customers.email\n    mask: hide\n"))
        .contains("Unknown mask 'hide'");
    assertThat(
            problems(VALID + "masks:\n  - column: published.customers.emali\n    mask: redact\n"))
        .contains("Column 'emali' is not a column of published.customers (did you mean 'email'?)");
  }

  @Test
  void tokenizationKeysMustBeReferencesThatResolve() throws IOException {
    String mask = VALID + "masks:\n  - column: published.customers.email\n    mask: tokenize\n";
    assertThat(problems(mask)).contains("policies.yaml:12: A tokenize mask needs a key");
    assertThat(problems(mask + "    key: ${env:SLUICE_TEST_KEY_THAT_IS_NOT_SET}\n"))
        .contains(
            "policies.yaml:14: Environment variable SLUICE_TEST_KEY_THAT_IS_NOT_SET (for the"
                + " mask's key) is not set");
    assertThat(problems(mask + "    key: ${file:missing.key}\n"))
        .contains("Secret file missing.key (for the mask's key) does not exist");
    String literal = problems(mask + "    key: hunter2-literal\n");
    assertThat(literal)
        .contains("Secrets must be given by reference")
        .doesNotContain("hunter2-literal");
  }

  @Test
  void rowFilterProblems() throws IOException {
    assertThat(
            problems(
                VALID + "row_filters:\n  - table: published.customer\n    where: country = 'DE'\n"))
        .contains("Table published.customer is not a table of the project");
    assertThat(
            problems(
                VALID
                    + "row_filters:\n  - table: published.customers\n    roles: [anlyst]\n"
                    + "    where: country = 'DE'\n"))
        .contains("Unknown role 'anlyst' in roles (did you mean 'analyst'?)");
  }

  @Test
  void filterAndMaskSqlIsCheckedAtValidate() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
    write(
        project,
        "policies.yaml",
        VALID
            + "masks:\n  - column: published.customers.email\n    mask: custom\n"
            + "    expression: \"left(emial, 2)\"\n"
            + "row_filters:\n"
            + "  - table: published.customers\n    roles: [analyst]\n    where: country = = 'DE'\n"
            + "  - table: published.customers\n    roles: [analyst]\n"
            + "    where: country = principal.region\n"
            + "  - table: published.customers\n    where: id in (select id from curated.people)\n");
    Project loaded = Project.load(project);
    try (Workspace workspace = Workspace.open(loaded)) {
      assertThatThrownBy(() -> PolicyCheck.check(loaded, workspace.lake(), workspace.engine()))
          .isInstanceOf(ProjectException.class)
          .satisfies(
              error ->
                  assertThat(error.getMessage())
                      .contains(
                          "policies.yaml:12: The custom mask on published.customers.email does not bind")
                      .contains("policies.yaml:16: The row filter's SQL is not valid: Syntax error")
                      .contains(
                          "policies.yaml:19: The row filter on published.customers does not bind"
                              + " for ana (attributes: country)")
                      .contains(
                          "policies.yaml:22: The row filter reads curated.people: it may read only"
                              + " its own table's columns"));
    }
  }
}
