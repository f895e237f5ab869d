package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code targets:} and {@code default_target:} of sluice.yaml, and how a target is chosen. */
class TargetsTest {
  @TempDir Path root;

  private static final String CONFIG =
      """
      name: shop
      threads: 2
      vars:
        threshold: 6
        region: eu
      catalog:
        url: jdbc:sqlite:.sluice/catalog.db
      default_target: dev
      targets:
        dev:
          warehouse: wh-dev
        ci:
          warehouse: wh-ci
          catalog:
            url: jdbc:sqlite:.sluice/ci-catalog.db
          state:
            url: jdbc:sqlite:.sluice/ci-state.db
          vars:
            threshold: 1
          threads: 1
        prod:
          warehouse: /data/warehouse
          state:
            url: jdbc:postgresql://db:5432/sluice
            user: ${env:SLUICE_DB_USER}
            password: ${env:DB_PASSWORD}
          secrets:
            DB_PASSWORD: ${env:PROD_DB_PASSWORD}
            CRM_PASSWORD: ${env:PROD_CRM_PASSWORD}
      """;

  private Project load(String config, Map<String, String> environment, String target) {
    TestProjects.write(root, "sluice.yaml", config);
    return Project.load(root, environment, target);
  }

  @Test
  void theDefaultTargetOverridesTheTopLevelSettingsAndKeepsTheRest() {
    ProjectConfig config = load(CONFIG, Map.of(), null).config();
    assertThat(config.target().name()).isEqualTo("dev");
    assertThat(config.warehouse()).isEqualTo(root.resolve("wh-dev"));
    assertThat(config.catalogUrl()).isEqualTo("jdbc:sqlite:" + root.resolve(".sluice/catalog.db"));
    assertThat(config.threads()).isEqualTo(2);
    assertThat(config.vars())
        .containsExactlyInAnyOrderEntriesOf(Map.of("threshold", 6, "region", "eu"));
  }

  @Test
  void anotherTargetIsChosenByNameOrBySluiceTarget() {
    for (ProjectConfig config :
        new ProjectConfig[] {
          load(CONFIG, Map.of(), "ci").config(),
          load(CONFIG, Map.of("SLUICE_TARGET", "ci"), null).config()
        }) {
      assertThat(config.target().name()).isEqualTo("ci");
      assertThat(config.warehouse()).isEqualTo(root.resolve("wh-ci"));
      assertThat(config.catalogUrl())
          .isEqualTo("jdbc:sqlite:" + root.resolve(".sluice/ci-catalog.db"));
      assertThat(config.stateUrl()).isEqualTo("jdbc:sqlite:" + root.resolve(".sluice/ci-state.db"));
      assertThat(config.threads()).isEqualTo(1);
      // vars are merged name by name: the target's threshold, the top level's region
      assertThat(config.vars())
          .containsExactlyInAnyOrderEntriesOf(Map.of("threshold", 1, "region", "eu"));
    }
    // --target wins over SLUICE_TARGET
    assertThat(load(CONFIG, Map.of("SLUICE_TARGET", "ci"), "dev").config().target().name())
        .isEqualTo("dev");
  }

  @Test
  void aTargetsSecretsAreWhatEnvReferencesReadInIt() {
    Map<String, String> environment =
        Map.of(
            "SLUICE_DB_USER", "sluice",
            "PROD_DB_PASSWORD", "prod-db-0451",
            "PROD_CRM_PASSWORD", "prod-crm-0452",
            "CRM_PASSWORD", "dev-crm");
    ProjectConfig config = load(CONFIG, environment, "prod").config();
    // state.password is ${env:DB_PASSWORD}: in target prod, the secret DB_PASSWORD
    assertThat(config.stateProperties()).containsEntry("password", "prod-db-0451");
    assertThat(config.environment(environment::get).apply("CRM_PASSWORD"))
        .isEqualTo("prod-crm-0452");
    assertThat(config.environment(environment::get).apply("SLUICE_DB_USER")).isEqualTo("sluice");
    assertThat(config.toString()).doesNotContain("prod-db-0451").doesNotContain("prod-crm-0452");
    assertThat(config.target().toString()).contains("CRM_PASSWORD").doesNotContain("prod-crm-0452");
    // in another target the process environment is read as it is
    ProjectConfig dev = load(CONFIG, environment, "dev").config();
    assertThat(dev.environment(environment::get).apply("CRM_PASSWORD")).isEqualTo("dev-crm");
  }

  @Test
  void envVarInModelSqlNeverReadsATargetsSecrets() {
    // model SQL is recorded in run history and compiled output: a secret must not flow into it
    TestProjects.write(
        root,
        "models/curated/leaky.sql",
        "select '{{ env_var('SLUICE_MODEL_SECRET', 'not-a-secret') }}' as v\n");
    Map<String, String> environment =
        Map.of(
            "SLUICE_DB_USER", "sluice",
            "PROD_DB_PASSWORD", "prod-db-0451",
            "PROD_CRM_PASSWORD", "prod-crm-0452");
    Project project =
        load(
            CONFIG.replace(
                "      CRM_PASSWORD: ${env:PROD_CRM_PASSWORD}\n",
                "      CRM_PASSWORD: ${env:PROD_CRM_PASSWORD}\n"
                    + "      SLUICE_MODEL_SECRET: ${env:PROD_CRM_PASSWORD}\n"),
            environment,
            "prod");
    // ${env:SLUICE_MODEL_SECRET} in a source's options would read the secret in this target
    assertThat(project.config().environment(environment::get).apply("SLUICE_MODEL_SECRET"))
        .isEqualTo("prod-crm-0452");
    ModelDef model = project.models().get("leaky");
    String sql =
        new SqlRenderer().render(model, SqlRenderer.RenderContext.of(project, model, false));
    assertThat(sql).contains("not-a-secret").doesNotContain("prod-crm-0452");
  }

  @Test
  void anUnknownTargetNamesSluiceYamlsLineAndItsTargets() {
    assertThatThrownBy(() -> load(CONFIG, Map.of(), "cj"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:9")
        .hasMessageContaining("Unknown target 'cj'")
        .hasMessageContaining("dev, ci, prod")
        .hasMessageContaining("did you mean 'ci'?");
    assertThatThrownBy(() -> load(CONFIG, Map.of("SLUICE_TARGET", "staging"), null))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:9")
        .hasMessageContaining("asked for by SLUICE_TARGET");
    assertThatThrownBy(() -> load("name: shop\n", Map.of(), "ci"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("declares no targets");
  }

  @Test
  void badTargetsAreReportedWithTheirLine() {
    assertThatThrownBy(
            () ->
                load(
                    """
                    name: shop
                    targets:
                      dev:
                        warehous: wh
                      prod:
                        secrets:
                          DB_PASSWORD: hunter2
                    """,
                    Map.of(),
                    "prod"))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:2: sluice.yaml declares targets but no default_target")
        .hasMessageContaining("sluice.yaml:4: Unknown key 'warehous' in target 'dev'")
        .hasMessageContaining("did you mean 'warehouse'?")
        .hasMessageContaining("target secret DB_PASSWORD holds a literal value")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () ->
                load(
                    "name: shop\ndefault_target: prd\ntargets:\n  prod: {warehouse: wh}\n",
                    Map.of(),
                    null))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:2: default_target 'prd' is not one of the targets")
        .hasMessageContaining("did you mean 'prod'?");
  }
}
