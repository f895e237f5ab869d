package dev.sluice.core.query;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.project.Project;
import dev.sluice.governance.AccessDiff;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Policies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy change never loosens access silently: the diff names every gain and loss. */
class AccessDiffTest {
  @TempDir Path project;

  private static final String BEFORE =
      """
      users:
        - name: ana
          roles: [analyst]
          attributes: {country: DE}
        - name: bob
          roles: [analyst]
          attributes: {country: FR}
      roles:
        - name: analyst
      grants:
        - role: analyst
          privileges: [read]
          on: published.customers
      masks:
        - column: published.customers.email
          mask: email_domain
      row_filters:
        - table: published.customers
          roles: [analyst]
          where: country = principal.country
      """;

  @BeforeEach
  void writeProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "seeds/people.csv", "id,email,country\n1,a@b.com,DE\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(project, "models/published/orders.sql", "select 1 as id\n");
  }

  private List<String> diff(String before, String after) throws IOException {
    write(project, Policies.FILE, after);
    Project loaded = Project.load(project);
    Map<TableName, List<String>> tables = new LinkedHashMap<>();
    tables.put(new TableName("published", "customers"), List.of("id", "email", "country"));
    tables.put(new TableName("published", "orders"), List.of("id"));
    return AccessDiff.between(
            new AccessPolicy(loaded.policiesFromText(before), loaded.classification()),
            new AccessPolicy(loaded.policies(), loaded.classification()),
            tables)
        .stream()
        .map(AccessDiff.Change::describe)
        .toList();
  }

  @Test
  void noChangeNoDiff() throws IOException {
    assertThat(diff(BEFORE, BEFORE)).isEmpty();
  }

  @Test
  void gainsAndLossesAreNamed() throws IOException {
    String after =
        BEFORE
            .replace("on: published.customers", "on: published.*")
            .replace("    mask: email_domain\n", "    mask: email_domain\n    exempt: [analyst]\n")
            .replace("  - name: bob\n    roles: [analyst]\n    attributes: {country: FR}\n", "");
    assertThat(diff(BEFORE, after))
        .containsExactlyInAnyOrder(
            "+ ana gains read on published.orders",
            "+ ana reads published.customers.email unmasked (was email_domain)",
            "- bob loses read on published.customers");
  }

  @Test
  void filtersDroppedOrChangedAreShown() throws IOException {
    String after = BEFORE.replace("where: country = principal.country", "where: country <> 'XX'");
    assertThat(diff(BEFORE, after))
        .contains(
            "~ ana reads rows of published.customers where ((country <> 'XX')) (was ((country ="
                + " principal.country)))");
    String unfiltered = BEFORE.substring(0, BEFORE.indexOf("row_filters:"));
    assertThat(diff(BEFORE, unfiltered))
        .contains(
            "+ ana reads rows of published.customers unfiltered (was ((country ="
                + " principal.country)))");
  }

  @Test
  void againstNoPoliciesEveryGrantIsAGain() throws IOException {
    write(project, Policies.FILE, BEFORE);
    Project loaded = Project.load(project);
    List<AccessDiff.Change> changes =
        AccessDiff.between(
            new AccessPolicy(Policies.none(), loaded.classification()),
            new AccessPolicy(loaded.policies(), loaded.classification()),
            Map.of(new TableName("published", "customers"), List.of("id", "email", "country")));
    assertThat(changes)
        .extracting(AccessDiff.Change::describe)
        .containsExactlyInAnyOrder(
            "+ ana gains read on published.customers", "+ bob gains read on published.customers");
  }

  @Test
  void aBrokenBaselineIsReported() throws IOException {
    write(project, Policies.FILE, BEFORE);
    Project loaded = Project.load(project);
    assertThatThrownBy(() -> loaded.policiesFromText("roles:\n  - name: a\n    inherits: [b]\n"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("policies.yaml:2: Unknown role 'b' in inherits");
  }
}
