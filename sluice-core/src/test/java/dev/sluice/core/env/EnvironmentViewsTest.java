package dev.sluice.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.PromotionRecords;
import dev.sluice.core.state.PromotionRecords.Promotion;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A changed view model in an environment: its own Iceberg view (namespace {@code
 * sluice_environments.<env>.<zone>}), read by the environment only, governed on every read,
 * promoted by replacing production's view, rolled back to production's definition before, dropped
 * with the environment. Real Iceberg catalog on SQLite, real DuckDB.
 */
class EnvironmentViewsTest {
  private static final TableName VIEW = new TableName("published", "customer_view");

  private static final String POLICIES =
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
          on: [published.*, curated.*]
      masks:
        - column: published.customer_view.email
          mask: email_domain
      row_filters:
        - table: published.customer_view
          roles: [analyst]
          where: country = principal.country
      """;

  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private Workspace open() {
    return Workspace.open(Project.load(project));
  }

  private static String text(Workspace workspace, String sql, ReadPoint point, String principal) {
    QueryService queries = new QueryService(workspace);
    QueryResult result =
        principal == null
            ? queries.query(sql, point, 100)
            : queries.query(sql, point, 100, queries.principal(principal));
    List<String> cells = new ArrayList<>(result.columns());
    result.rows().forEach(row -> row.forEach(value -> cells.add(String.valueOf(value))));
    return String.join("|", cells);
  }

  @BeforeEach
  void productionIsBuilt() throws IOException {
    write("sluice.yaml", "name: views\n");
    write(
        "seeds/people.csv",
        "id,email,country,amount\n"
            + "1,ann@alpha.org,DE,10\n"
            + "2,bob@beta.org,FR,80\n"
            + "3,cid@gamma.org,DE,90\n"
            + "4,dan@delta.org,US,5\n");
    write("models/curated/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        "models/published/customer_view.sql",
        "{{ config(materialized='view') }}\n"
            + "select id, email, country from {{ ref('customers') }} where amount > 6\n");
    write(
        "models/published/view_total.sql",
        "select count(*)::bigint as n from {{ ref('customer_view') }}\n");
    write("policies.yaml", POLICIES);
    try (Workspace workspace = open()) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(run.succeeded()).as(run.toString()).isTrue();
    }
  }

  private void changeTheView() throws IOException {
    write(
        "models/published/customer_view.sql",
        "{{ config(materialized='view') }}\n"
            + "select id, email, country, amount * 2 as doubled from {{ ref('customers') }}"
            + " where amount > 50\n");
  }

  @Test
  void aChangedViewIsTheEnvironmentsOwnGovernedPromotedAndRolledBack() throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      Environments.Build build =
          new Environments(workspace).build("dev", RunOptions.all(), RunListener.NONE);
      assertThat(build.succeeded()).as(String.valueOf(build.run())).isTrue();
      assertThat(build.changes())
          .extracting(Environments.Change::model)
          .containsExactly("customer_view", "view_total");

      ReadPoint dev = ReadPoint.environment("dev");
      // the environment reads its own view, and the table built from it; production is untouched
      assertThat(text(workspace, "select count(*) from published.customer_view", dev, null))
          .endsWith("|2");
      assertThat(text(workspace, "select n from published.view_total", dev, null)).isEqualTo("n|2");
      assertThat(text(workspace, "select * from published.customer_view", dev, null))
          .startsWith("id|email|country|doubled");
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .startsWith("id|email|country|")
          .doesNotContain("doubled");
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|3");
      // the environment's view is nowhere in production's listing
      assertThat(workspace.lake().listTables())
          .extracting(TableName::zone)
          .doesNotContain(dev.toString(), "sluice_environments");
      assertThat(workspace.lake().environmentViews().list("dev")).containsExactly(VIEW);

      // governance holds on the environment's view: ana sees her country's rows, masked emails
      String ana =
          text(workspace, "select id, email, country from published.customer_view", dev, "ana");
      assertThat(ana).contains("gamma.org");
      assertThat(ana).doesNotContain("cid@", "bob@", "FR", "|2|");
      assertThat(
              text(
                  workspace,
                  "select count(*) from published.customer_view where country <> 'DE'",
                  dev,
                  "ana"))
          .endsWith("|0");
      // and on production's view (its row filter too)
      String anaInProduction =
          text(
              workspace,
              "select id, email, country from published.customer_view",
              ReadPoint.main(),
              "ana");
      assertThat(anaInProduction).contains("alpha.org", "gamma.org").doesNotContain("FR", "ann@");

      // the data diff of the view: production's view against the environment's
      DataDiff.Result diff = new DataDiff(workspace).diff(VIEW, "dev", List.of("id"));
      assertThat(diff.productionRows()).isEqualTo(3);
      assertThat(diff.environmentRows()).isEqualTo(2);
      assertThat(diff.onlyInProduction()).isEqualTo(1);
      assertThat(diff.onlyInEnvironment()).isZero();
      assertThat(diff.changed()).isZero();
      assertThat(diff.addedColumns()).containsExactly("doubled");

      EnvironmentRecordsView show = EnvironmentRecordsView.of(workspace, "dev");
      assertThat(show.built()).contains(VIEW.toString(), "published.view_total");

      // promotion: production's view becomes the environment's definition, view_total its table
      Promotions.Outcome promoted = new Promotions(workspace).promote("dev", RunListener.NONE);
      assertThat(promoted.succeeded()).isTrue();
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .startsWith("id|email|country|doubled");
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|2");
      assertThat(workspace.lake().environmentViews().list("dev")).isEmpty();
      Promotion promotion = promoted.promotion();
      assertThat(promotion.tables())
          .filteredOn(PromotionRecords.PromotedTable::view)
          .singleElement()
          .satisfies(table -> assertThat(table.viewBefore()).contains("amount > 6"));
      // nothing differs from production any more
      assertThat(new Environments(workspace).changes("dev", List.of(), List.of())).isEmpty();

      // rollback: production's view definition before the promotion, and its fingerprint
      new Promotions(workspace).rollback(promotion.id());
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .doesNotContain("doubled");
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|3");
      assertThat(new Environments(workspace).changes("dev", List.of(), List.of()))
          .extracting(Environments.Change::model)
          .containsExactly("customer_view", "view_total");
    }
  }

  @Test
  void aViewChangedInProductionSinceTheBuildRefusesThePromotionAndDropRemovesTheView()
      throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      buildDev(workspace);
    }
    // production's view changes after the environment was built
    changeTheViewOfProduction();
    try (Workspace workspace = open()) {
      rebuildTheView(workspace);
      assertThatThrownBy(() -> new Promotions(workspace).promote("dev", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Environment dev is behind production")
          .hasMessageContaining(VIEW.toString())
          .hasMessageContaining("sluice env rebase dev");
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .doesNotContain("doubled");

      assertThatThrownBy(() -> new Promotions(workspace).promote("nope", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("No environment nope");

      Environments.Drop drop = new Environments(workspace).drop("dev");
      assertThat(drop.removals()).extracting(removal -> removal.table()).contains(VIEW);
      assertThat(workspace.lake().environmentViews().list("dev")).isEmpty();
      assertThat(workspace.lake().environmentViews().find(VIEW, "dev")).isEmpty();
      assertThat(workspace.lake().findView(VIEW)).isPresent();
    }
  }

  @Test
  void aModelThatIsATableInProductionCannotBecomeAViewInAnEnvironment() throws Exception {
    write(
        "models/curated/customers.sql",
        "{{ config(materialized='view') }}\nselect * from {{ ref('people') }}\n");
    try (Workspace workspace = open()) {
      assertThatThrownBy(
              () -> new Environments(workspace).build("dev", RunOptions.all(), RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(
              "customers (models/curated/customers.sql) is a view, a table in production")
          .hasMessageContaining("--exclude");
    }
  }

  @Test
  void aPromotionKilledAfterReplacingTheViewIsFinishedByResume() throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      buildDev(workspace);
      Promotions killed =
          new Promotions(workspace)
              .beforeMove(
                  table -> {
                    if (table.name().equals("view_total")) {
                      throw new IllegalStateException("killed before moving " + table);
                    }
                  });
      assertThatThrownBy(() -> killed.promote("dev", RunListener.NONE))
          .hasMessageContaining("killed before moving published.view_total");

      Promotion running = workspace.runStore().promotions().running().orElseThrow();
      assertThat(running.tables())
          .extracting(PromotionRecords.PromotedTable::table, PromotionRecords.PromotedTable::done)
          .containsExactly(
              org.assertj.core.api.Assertions.tuple(VIEW.toString(), true),
              org.assertj.core.api.Assertions.tuple("published.view_total", false));
      // half-way: production's view is the environment's, view_total still production's table
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .startsWith("id|email|country|doubled");
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|3");
      int replacedVersion =
          workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId();

      Promotion finished = new Promotions(workspace).resume().promotion();
      assertThat(finished.status()).isEqualTo(PromotionRecords.Status.DONE);
      assertThat(finished.tables()).allMatch(PromotionRecords.PromotedTable::done);
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|2");
      // the view was replaced once, not again by the resume
      assertThat(workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId())
          .isEqualTo(replacedVersion);
      assertThat(workspace.lake().environmentViews().list("dev")).isEmpty();
      assertThat(workspace.runStore().environments().find("dev")).isEmpty();

      new Promotions(workspace).rollback(finished.id());
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .doesNotContain("doubled");
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|3");
    }
  }

  @Test
  void aPromotionKilledBetweenReplacingTheViewAndRecordingItIsFinishedByResume() throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      buildDev(workspace);
      Promotions killed =
          new Promotions(workspace)
              .beforeMove(
                  table -> {
                    // what the killed process did before it could record it: the view replaced
                    ViewDefinition.of(
                            workspace.lake().environmentViews().find(VIEW, "dev").orElseThrow())
                        .replace(workspace.lake(), VIEW);
                    throw new IllegalStateException("killed after replacing " + table);
                  });
      assertThatThrownBy(() -> killed.promote("dev", RunListener.NONE))
          .hasMessageContaining("killed after replacing " + VIEW);
      assertThat(workspace.runStore().promotions().running().orElseThrow().tables())
          .noneMatch(PromotionRecords.PromotedTable::done);

      Promotion finished = new Promotions(workspace).resume().promotion();
      assertThat(finished.status()).isEqualTo(PromotionRecords.Status.DONE);
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .startsWith("id|email|country|doubled");
      assertThat(workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId())
          .isEqualTo(2);
      assertThat(text(workspace, "select n from published.view_total", ReadPoint.main(), null))
          .isEqualTo("n|2");
    }
  }

  @Test
  void aPromotionKilledBeforeTheViewRefusesToResumeOverAViewProductionChangedMeanwhile()
      throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      buildDev(workspace);
      Promotions killed =
          new Promotions(workspace)
              .beforeMove(
                  table -> {
                    throw new IllegalStateException("killed before moving " + table);
                  });
      assertThatThrownBy(() -> killed.promote("dev", RunListener.NONE))
          .hasMessageContaining("killed before moving " + VIEW);
    }
    // production's view changes while the promotion is interrupted
    changeTheViewOfProduction();
    try (Workspace workspace = open()) {
      rebuildTheView(workspace);
      assertThatThrownBy(() -> new Promotions(workspace).resume())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot be resumed: production changed since it started in")
          .hasMessageContaining(VIEW + " (version 1 when the promotion started, 2 of view")
          .hasMessageContaining("sluice promote --abandon");
      assertThat(text(workspace, "select * from published.customer_view", ReadPoint.main(), null))
          .doesNotContain("doubled");
      // given up: the view had not moved, production's own change stays, the lock is released
      Promotions.Abandonment abandoned = new Promotions(workspace).abandon(null);
      assertThat(abandoned.restored()).isEmpty();
      assertThat(abandoned.kept()).isEmpty();
      assertThat(abandoned.promotion().status()).isEqualTo(PromotionRecords.Status.ABANDONED);
      assertThat(workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId())
          .isEqualTo(2);
      assertThat(workspace.runStore().promotions().running()).isEmpty();
    }
  }

  @Test
  void aViewDroppedAndCreatedAgainInProductionMakesTheEnvironmentBehindAtTheSameVersion()
      throws Exception {
    changeTheView();
    try (Workspace workspace = open()) {
      buildDev(workspace);
    }
    changeTheViewOfProduction();
    try (Workspace workspace = open()) {
      int before = workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId();
      workspace.lake().dropTable(VIEW);
      rebuildTheView(workspace);
      // created again: its versions start again, at the version the environment was built on
      assertThat(workspace.lake().findView(VIEW).orElseThrow().currentVersion().versionId())
          .isEqualTo(before);
      assertThatThrownBy(() -> new Promotions(workspace).promote("dev", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Environment dev is behind production")
          .hasMessageContaining(VIEW + " (snapshot " + before + " then, " + before + " of view")
          .hasMessageContaining("sluice env rebase dev");
    }
  }

  /** Production's next version of the view (another filter), not built yet. */
  private void changeTheViewOfProduction() throws IOException {
    write(
        "models/published/customer_view.sql",
        "{{ config(materialized='view') }}\n"
            + "select id, email, country from {{ ref('customers') }} where amount > 7\n");
  }

  /** Builds production's view model. */
  private static void rebuildTheView(Workspace workspace) {
    assertThat(
            new Runner(workspace)
                .run(new RunOptions(List.of("customer_view"), false), RunListener.NONE)
                .succeeded())
        .isTrue();
  }

  private static void buildDev(Workspace workspace) {
    Environments.Build build =
        new Environments(workspace).build("dev", RunOptions.all(), RunListener.NONE);
    assertThat(build.succeeded()).as(String.valueOf(build.run())).isTrue();
  }

  /** The tables an environment's record says it built. */
  private record EnvironmentRecordsView(List<String> built) {
    static EnvironmentRecordsView of(Workspace workspace, String name) {
      return new EnvironmentRecordsView(
          new Environments(workspace)
              .show(name).built().stream().map(table -> table.table()).toList());
    }
  }
}
