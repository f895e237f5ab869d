package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ContractDef;
import dev.sluice.core.project.OdcsContracts;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contracts ({@code contract: {enforced: true}}) through the real runner on DuckDB and Iceberg: the
 * columns, constraints and grain are held before publishing, a violation leaves main as it was,
 * additive evolution passes only when allowed, and a contract travels as ODCS v3 and back.
 */
class ContractTest {
  private static final TableName REVENUE = new TableName("curated", "revenue");

  @TempDir Path project;

  private static final String CONTRACT =
      """
      models:
        - name: revenue
          description: Revenue per day and region
          owner: finance
          contract:
            enforced: true
            evolution: %s
            grain: [day, region]
            constraints:
              - {type: check, expression: "orders <= 1000", name: sane_orders}
          columns:
            - name: day
              type: date
              constraints: [not_null]
            - name: region
              type: varchar
              constraints: [not_null]
            - name: amount
              type: decimal(12,2)
              description: Sum of the day's orders
              constraints:
                - {type: check, expression: "amount >= 0"}
            - name: orders
              type: bigint
      """;

  private void writeProject(String sql, String evolution) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "models/curated/revenue.sql", sql);
    write(project, "models/curated/revenue.yaml", CONTRACT.formatted(evolution));
  }

  private static final String GOOD =
      """
      select * from (values
        (date '2024-03-01', 'eu', cast(10.50 as decimal(12,2)), 3::bigint),
        (date '2024-03-01', 'us', cast(4.00 as decimal(12,2)), 1::bigint))
        as t(day, region, amount, orders)
      """;

  @Test
  void aBuildHeldToItsContractPublishesAndRunsItsConstraintsAsChecks() throws IOException {
    writeProject(GOOD, "none");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace);
      StepResult step = result.steps().get(0);
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.checks())
          .extracting(check -> check.check().name())
          .contains(
              "contract:not_null(day)",
              "contract:not_null(region)",
              "contract:check(amount >= 0)",
              "contract:check(sane_orders)",
              "contract:grain(day, region)");
      assertThat(step.checks()).allMatch(CheckOutcome::passed);
      assertThat(rows(workspace, "select count(*) from curated.revenue"))
          .containsExactly(List.of("2"));
    }
  }

  @Test
  void aColumnOfAnotherTypeFailsWithTheColumnByColumnDiffAndLeavesMainUntouched()
      throws IOException {
    writeProject(GOOD, "none");
    long published = firstBuild();
    write(
        project,
        "models/curated/revenue.sql",
        """
        select date '2024-03-02' as day, 'eu' as region, 'lots' as amount, 2::bigint as orders
        """);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace);
      StepResult step = result.steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("model revenue (contract at models/curated/revenue.yaml:5)")
          .contains("violates its contract")
          .containsPattern("amount\\s+decimal\\(12,2\\)\\s+varchar\\s+<- type differs")
          .containsPattern("day\\s+date\\s+date\\s+ok")
          .contains("nothing was published");
      assertThat(snapshot(workspace)).isEqualTo(published);
      assertThat(rows(workspace, "select count(*) from curated.revenue"))
          .containsExactly(List.of("2"));
    }
  }

  @Test
  void aMissingColumnIsNamedInTheDiff() throws IOException {
    writeProject(
        "select date '2024-03-01' as day, 'eu' as region, 1::bigint as orders\n", "additive");
    try (Workspace workspace = Workspace.open(project)) {
      StepResult step = run(workspace).steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .containsPattern("amount\\s+decimal\\(12,2\\)\\s+\\(missing\\)\\s+<- missing");
      assertThat(workspace.lake().findTable(REVENUE)).isEmpty();
    }
  }

  @Test
  void aNewColumnPassesOnlyWhenTheContractAllowsAdditiveEvolution() throws IOException {
    String withDiscount =
        """
        select date '2024-03-01' as day, 'eu' as region, cast(1 as decimal(12,2)) as amount,
          1::bigint as orders, 0.5 as discount
        """;
    writeProject(GOOD, "none");
    long published = firstBuild();
    write(project, "models/curated/revenue.sql", withDiscount);
    try (Workspace workspace = Workspace.open(project)) {
      StepResult step = run(workspace).steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .containsPattern(
              "discount\\s+\\(not declared\\)\\s+decimal\\(2,1\\)\\s+<- not in the contract")
          .contains("evolution: additive");
      assertThat(snapshot(workspace)).isEqualTo(published);
    }
    write(project, "models/curated/revenue.yaml", CONTRACT.formatted("additive"));
    try (Workspace workspace = Workspace.open(project)) {
      StepResult step = run(workspace).steps().get(0);
      assertThat(step.status()).as(String.valueOf(step)).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(rows(workspace, "select discount from curated.revenue"))
          .containsExactly(List.of("0.5"));
    }
  }

  @Test
  void rowsBreakingAConstraintOrTheGrainAreNotPublished() throws IOException {
    writeProject(GOOD, "none");
    long published = firstBuild();
    write(
        project,
        "models/curated/revenue.sql",
        """
        select * from (values
          (date '2024-03-02', 'eu', cast(-1 as decimal(12,2)), 3::bigint),
          (date '2024-03-02', 'eu', cast(2 as decimal(12,2)), 1::bigint),
          (date '2024-03-02', null, cast(2 as decimal(12,2)), 1::bigint))
          as t(day, region, amount, orders)
        """);
    try (Workspace workspace = Workspace.open(project)) {
      StepResult step = run(workspace).steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.checks())
          .filteredOn(check -> !check.passed())
          .extracting(check -> check.check().name())
          .containsExactlyInAnyOrder(
              "contract:not_null(region)",
              "contract:check(amount >= 0)",
              "contract:grain(day, region)");
      assertThat(snapshot(workspace)).isEqualTo(published);
      assertThat(rows(workspace, "select count(*) from curated.revenue where day = '2024-03-02'"))
          .containsExactly(List.of("0"));
    }
  }

  @Test
  void aSourceTableIsHeldToItsContractBeforeItIsLoaded() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id bigint PRIMARY KEY, name text)",
          "INSERT INTO orders VALUES (1, 'a'), (2, 'b')");
      write(project, "secrets/password", source.password());
      write(project, "sluice.yaml", "name: shop\n");
      write(
          project,
          "sources/shop.yaml",
          """
          connector: postgres
          options:
            url: %s
            user: %s
            password: ${file:secrets/password}
          tables:
            - name: orders
              contract:
                enforced: true
                constraints:
                  - {type: unique, columns: [name]}
              columns:
                - {name: id, type: bigint, constraints: [primary_key]}
                - {name: name, type: varchar}
          """
              .formatted(source.jdbcUrl(), source.user()));
      TableName orders = new TableName("raw", "shop_orders");
      try (Workspace workspace = Workspace.open(project)) {
        StepResult first = run(workspace).steps().get(0);
        assertThat(first.status()).as(String.valueOf(first)).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(first.checks())
            .extracting(check -> check.check().name())
            .contains(
                "contract:primary_key.not_null(id)",
                "contract:primary_key(id)",
                "contract:unique(name)");
        long published = workspace.lake().currentSnapshot(orders).orElseThrow().snapshotId();

        execute(
            source,
            "ALTER TABLE orders ADD COLUMN note text",
            "INSERT INTO orders VALUES (3, 'c', 'x')");
        StepResult second = run(workspace).steps().get(0);
        assertThat(second.status()).isEqualTo(StepStatus.FAILED);
        assertThat(second.error())
            .contains("source table shop.orders (contract at sources/shop.yaml:8)")
            .containsPattern("note\\s+\\(not declared\\)\\s+varchar\\s+<- not in the contract")
            .doesNotContain("_loaded_at");

        execute(
            source, "ALTER TABLE orders DROP COLUMN note", "INSERT INTO orders VALUES (4, 'a')");
        StepResult third = run(workspace).steps().get(0);
        assertThat(third.status()).isEqualTo(StepStatus.FAILED);
        assertThat(third.checks())
            .filteredOn(check -> !check.passed())
            .extracting(check -> check.check().name())
            .containsExactly("contract:unique(name)");
        assertThat(workspace.lake().currentSnapshot(orders).orElseThrow().snapshotId())
            .isEqualTo(published);
      }
    }
  }

  private static void execute(PostgresDatabase source, String... statements) throws SQLException {
    try (Connection connection = source.connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  @Test
  void contractsThatCannotBeHeldAreProjectErrorsAtTheirLine() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "models/curated/revenue.sql", GOOD);
    write(
        project,
        "models/curated/revenue.yaml",
        """
        models:
          - name: revenue
            contract:
              enforced: true
              evolution: sideways
              grain: [day, country]
              constraints:
                - {type: primary_kee, columns: [day]}
                - {type: check}
            columns:
              - name: day
                type: date
              - name: region
              - name: amount
                type: decimal(12,2)
                constraints: [not_nul]
        """);
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/curated/revenue.yaml:5")
        .hasMessageContaining("Unknown contract evolution 'sideways'")
        .hasMessageContaining("models/curated/revenue.yaml:6")
        .hasMessageContaining("names column 'country', which it does not declare")
        .hasMessageContaining("models/curated/revenue.yaml:8")
        .hasMessageContaining("Unknown constraint 'primary_kee'")
        .hasMessageContaining("did you mean 'primary_key'")
        .hasMessageContaining("models/curated/revenue.yaml:9")
        .hasMessageContaining("Constraint 'check' of model 'revenue' needs 'expression:'")
        .hasMessageContaining("models/curated/revenue.yaml:13")
        .hasMessageContaining("Column 'region' of model 'revenue' has no type")
        .hasMessageContaining("models/curated/revenue.yaml:16")
        .hasMessageContaining("Unknown constraint 'not_nul'");

    write(
        project,
        "models/curated/revenue.yaml",
        """
        models:
          - name: revenue
            columns:
              - name: day
                type: date
                constraints: [not_null]
        """);
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/curated/revenue.yaml:6")
        .hasMessageContaining("without a contract")
        .hasMessageContaining("contract: {enforced: true}");
  }

  @Test
  void aContractTravelsAsOdcsAndBack() throws IOException {
    writeProject(GOOD, "additive");
    Project original = Project.load(project);
    String exported = OdcsContracts.export(original, original.asset("revenue"));
    assertThat(exported)
        .contains("apiVersion: v3.1.0")
        .contains("kind: DataContract")
        .contains("physicalName: curated.revenue")
        .contains("physicalType: \"decimal(12,2)\"")
        .contains("logicalType: number")
        .contains("required: true")
        .contains("SELECT count(*) FROM ${object} WHERE NOT (amount >= 0)")
        .contains("property: sluiceEvolution")
        .contains("One row per day, region");
    Path file = project.resolve("revenue.odcs.yaml");
    Files.writeString(file, exported);

    OdcsContracts.Imported imported = OdcsContracts.importContract(project, file);
    assertThat(imported.notes()).isEmpty();
    write(project, "models/curated/revenue.yaml", imported.yaml());
    Project reloaded = Project.load(project);
    ContractDef before = original.asset("revenue").definition().contract();
    ContractDef after = reloaded.asset("revenue").definition().contract();
    assertThat(after.enforced()).isTrue();
    assertThat(after.evolution()).isEqualTo(ContractDef.Evolution.ADDITIVE);
    assertThat(after.grain()).isEqualTo(before.grain());
    assertThat(after.checks())
        .extracting(check -> check.name() + " " + check.arguments())
        .containsExactlyInAnyOrderElementsOf(
            before.checks().stream().map(check -> check.name() + " " + check.arguments()).toList());
    assertThat(reloaded.asset("revenue").definition().columns())
        .extracting(column -> column.name() + " " + column.type() + " " + column.description())
        .containsExactlyElementsOf(
            original.asset("revenue").definition().columns().stream()
                .map(column -> column.name() + " " + column.type() + " " + column.description())
                .toList());
    assertThat(OdcsContracts.export(reloaded, reloaded.asset("revenue"))).isEqualTo(exported);
  }

  @Test
  void importingWhatIsNoOdcsContractNamesTheFileAndLine() throws IOException {
    write(
        project,
        "contract.yaml",
        """
        apiVersion: v2.2.2
        kind: DataContract
        schema: []
        """);
    assertThatThrownBy(
            () -> OdcsContracts.importContract(project, project.resolve("contract.yaml")))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("contract.yaml:1")
        .hasMessageContaining("Unsupported ODCS apiVersion 'v2.2.2'");
    write(
        project,
        "contract.yaml",
        """
        apiVersion: v3.0.2
        kind: DataContract
        schema:
          - name: orders
            properties:
              - {name: id, logicalType: integer, required: true}
              - {name: total, physicalType: "NUMERIC(10,2) WITH MAGIC", logicalType: number}
            quality:
              - {type: sql, query: "select count(*) from orders", mustBeGreaterThan: 0}
        """);
    OdcsContracts.Imported imported =
        OdcsContracts.importContract(project, project.resolve("contract.yaml"));
    assertThat(imported.yaml())
        .contains("name: orders")
        .contains("type: bigint")
        .contains("type: double")
        .contains("- not_null");
    assertThat(imported.notes())
        .anySatisfy(
            note -> assertThat(note).startsWith("contract.yaml:7").contains("no Sluice type"))
        .anySatisfy(
            note -> assertThat(note).startsWith("contract.yaml:9").contains("not imported"));
  }

  /** Builds the model as first written, and returns the snapshot published. */
  private long firstBuild() {
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(run(workspace).succeeded()).isTrue();
      return snapshot(workspace);
    }
  }

  private static RunResult run(Workspace workspace) {
    return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
  }

  private static long snapshot(Workspace workspace) {
    return workspace.lake().currentSnapshot(REVENUE).orElseThrow().snapshotId();
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
