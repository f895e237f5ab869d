package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Project#checkSecrets}: what {@code sluice validate} finds about secret references. */
class SecretReferencesTest {
  @TempDir Path root;

  private void writeProject() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    TestProjects.write(
        root,
        "sources/crm.yaml",
        """
        connector: postgres
        options:
          url: jdbc:postgresql://db.internal:5432/crm
          user: ${file:secrets/crm-user}
          password: ${env:CRM_PASSWORD}
        tables:
          - name: accounts
          - name: contacts
        """);
  }

  @Test
  void missingVariablesAndFilesAreNamedWithFileAndLineOncePerReference() {
    writeProject();
    Project project = Project.load(root, Map.of());
    assertThatThrownBy(() -> project.checkSecrets(Map.<String, String>of()::get))
        .isInstanceOf(ProjectException.class)
        .satisfies(
            e ->
                assertThat(((ProjectException) e).problems())
                    .extracting(Object::toString)
                    .containsExactly(
                        "sources/crm.yaml:4: Secret file secrets/crm-user (for crm.accounts"
                            + " option user) does not exist (the path is relative to the"
                            + " project directory)",
                        "sources/crm.yaml:5: Environment variable CRM_PASSWORD (for"
                            + " crm.accounts option password) is not set (set it before running"
                            + " sluice, e.g. export CRM_PASSWORD=...)"));
  }

  @Test
  void resolvableReferencesPassAndNoValueIsEverShown() {
    writeProject();
    Project project = Project.load(root, Map.of());
    String password = "planted-secret-0451";
    TestProjects.write(root, "secrets/crm-user", "reader\n");
    assertThatCode(() -> project.checkSecrets(Map.of("CRM_PASSWORD", password)::get))
        .doesNotThrowAnyException();

    TestProjects.write(
        root,
        "sources/crm.yaml",
        """
        connector: postgres
        options:
          url: jdbc:postgresql://db.internal:5432/crm
          user: ${env:CRM_USER}
          password: ${env:CRM_PASSWORD}
        tables:
          - name: accounts
        """);
    Project changed = Project.load(root, Map.of());
    assertThatThrownBy(() -> changed.checkSecrets(Map.of("CRM_PASSWORD", password)::get))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sources/crm.yaml:4")
        .hasMessageContaining("CRM_USER")
        .hasMessageNotContaining(password);
  }
}
