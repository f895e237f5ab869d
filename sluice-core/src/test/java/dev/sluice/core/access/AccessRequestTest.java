package dev.sluice.core.access;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AccessRequestStatus;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.governance.TableAccess;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access requests (issue 13 item 8) against a real project: SQLite state database, DuckDB and
 * Iceberg. A request is approved by the table's owner or a holder of grant, never by the one who
 * asked; the approved grant is enforced on every read with the masks and row filters of
 * policies.yaml, and ends on its own when the clock passes its end.
 */
class AccessRequestTest {
  @TempDir static Path project;

  private static final TableName CUSTOMERS = new TableName("published", "customers");

  @BeforeAll
  static void buildProject() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n"
            + "1,Alice Secret,alice.secret@hidden-mail.com,DE\n"
            + "2,Bob Hidden,bob.hidden@private.org,FR\n"
            + "3,Carla Covert,carla.covert@hidden-mail.com,DE\n"
            + "4,Dan Unseen,dan.unseen@secret.net,US\n");
    write(project, "seeds/sales.csv", "order_id,amount\n10,100\n11,200\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(project, "models/published/orders.sql", "select * from {{ ref('sales') }}\n");
    write(
        project,
        "models/published/countries.sql",
        "select distinct country from {{ ref('people') }}\n");
    write(
        project,
        "models/published/models.yaml",
        """
        models:
          - name: customers
            owner: crm
            columns:
              - {name: id, classification: [subject.customer_id]}
              - {name: name, classification: [pii.name]}
              - {name: email, classification: [pii.email]}
              - {name: country, classification: [location]}
          - name: countries
            owner: crm
            columns:
              - {name: country, classification: [location]}
        """);
    write(project, "policies.yaml", POLICIES);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
    }
  }

  static final String POLICIES =
      """
      users:
        - name: ana
          roles: [analyst]
          groups: [staff]
          attributes: {country: DE}
        - name: bob
          groups: [crm, staff]
        - name: carl
          roles: [analyst]
          groups: [staff]
          attributes: {country: DE}
        - name: grace
          roles: [steward]
          groups: [staff]
        - name: sam
          roles: [steward]
          groups: [staff]
        - name: nora
          groups: [staff]
        - name: otto
          groups: [staff]
        - name: root
          roles: [admin]
          groups: [staff]
      groups:
        - name: crm
        - name: staff
          roles: [staff]
      roles:
        - name: analyst
        - name: steward
        - name: staff
        - name: auditor
        - name: admin
      grants:
        - role: analyst
          privileges: [read]
          on: published.countries
        - role: steward
          privileges: [grant]
          on: published.*
        - role: staff
          privileges: [read]
          on: published.orders
        - role: auditor
          privileges: [read]
          on: "*.customers"
        - role: admin
          privileges: [admin]
          on: [published.*, raw.*]
      masks:
        - column: published.customers.email
          mask: email_domain
          exempt: [admin]
      row_filters:
        - table: published.customers
          where: id <> 4
          exempt: [admin]
        - table: published.customers
          roles: [analyst]
          where: country = principal.country
      """;

  /** A clock a test moves by hand. */
  static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static <T> T with(Clock clock, Function<Workspace, T> work) {
    try (Workspace workspace = Workspace.open(Project.load(project), clock, "tester")) {
      return work.apply(workspace);
    }
  }

  private static QueryResult query(Clock clock, String principal, String sql) {
    return with(
        clock,
        workspace -> {
          QueryService queries = new QueryService(workspace);
          return queries.query(sql, ReadPoint.main(), 1000, queries.principal(principal));
        });
  }

  private static AccessRequest request(
      Clock clock, String principal, String table, List<String> columns, Duration period) {
    return with(
        clock,
        workspace ->
            new AccessRequestWorkflow(workspace)
                .request(principal, table, columns, "quarterly churn analysis", period));
  }

  private static AccessRequest approve(Clock clock, long id, String decider) {
    return with(
        clock,
        workspace -> new AccessRequestWorkflow(workspace).approve(id, decider, Optional.empty()));
  }

  private static String text(QueryResult result) {
    return result.columns() + " " + result.rows();
  }

  @Test
  void anApprovedRequestIsEnforcedWithMasksAndFiltersUntilItExpires() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-01T09:00:00Z"));
    String sql = "select * from published.customers order by id";
    assertThatThrownBy(() -> query(clock, "nora", sql))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("nora may not read published.customers");

    AccessRequest asked =
        request(clock, "nora", "published.customers", List.of(), Duration.ofDays(7));
    assertThat(asked.status(clock.instant())).isEqualTo(AccessRequestStatus.PENDING);
    assertThatThrownBy(() -> query(clock, "nora", sql))
        .as("a pending request grants nothing")
        .isInstanceOf(AccessDeniedException.class);

    clock.advance(Duration.ofHours(1));
    AccessRequest approved = approve(clock, asked.id(), "bob");
    assertThat(approved.decision().orElseThrow().expiresAt())
        .isEqualTo(Instant.parse("2026-12-08T10:00:00Z"));

    QueryResult seen = query(clock, "nora", sql);
    assertThat(seen.columns()).containsExactly("id", "name", "email", "country");
    assertThat(seen.rows().stream().map(row -> row.get(0)).toList())
        .as("the mandatory row filter id <> 4 holds for the time-bound grant too")
        .containsExactly(1L, 2L, 3L);
    assertThat(text(seen))
        .contains("***@hidden-mail.com", "***@private.org", "Alice Secret")
        .doesNotContain("alice.secret", "bob.hidden", "Dan Unseen");

    TableAccess explained =
        with(
            clock,
            workspace -> {
              QueryService queries = new QueryService(workspace);
              return queries.explain(queries.principal("nora"), CUSTOMERS);
            });
    assertThat(explained.grants())
        .singleElement()
        .satisfies(
            grant -> {
              assertThat(grant.role()).isEqualTo("request#" + asked.id());
              assertThat(grant.location().toString())
                  .contains("access request " + asked.id(), "approved by bob");
            });

    clock.advance(Duration.ofDays(7).minusMillis(1));
    assertThat(query(clock, "nora", "select count(*) from published.customers").rows())
        .containsExactly(List.of(3L));
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> query(clock, "nora", sql))
        .as("at its end the grant is gone, without any write")
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("nora may not read published.customers");
    List<AccessRequest> expired =
        with(
            clock,
            workspace ->
                new AccessRequestWorkflow(workspace)
                    .list(Optional.of(AccessRequestStatus.EXPIRED)));
    assertThat(expired).extracting(AccessRequest::id).contains(asked.id());
  }

  @Test
  void aColumnGrantShowsOnlyItsColumnsAndAnAnalystKeepsItsRowFilter() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-02T09:00:00Z"));
    AccessRequest asked =
        request(clock, "carl", "published.customers", List.of("ID", "country"), Duration.ofDays(1));
    assertThat(asked.columns()).containsExactly("id", "country");
    approve(clock, asked.id(), "grace");
    QueryResult seen = query(clock, "carl", "select * from published.customers order by id");
    assertThat(seen.columns()).containsExactly("id", "country");
    assertThat(seen.rows())
        .as("carl's analyst filter (country DE) still holds")
        .containsExactly(List.of(1L, "DE"), List.of(3L, "DE"));
    assertThatThrownBy(() -> query(clock, "carl", "select email from published.customers"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("columns not granted to carl")
        .hasMessageContaining("email");
  }

  @Test
  void theRequesterCannotDecideItsOwnRequest() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-03T09:00:00Z"));
    AccessRequest asked =
        request(clock, "sam", "published.customers", List.of(), Duration.ofDays(2));
    assertThatThrownBy(() -> approve(clock, asked.id(), "sam"))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("sam may not approve access request " + asked.id())
        .hasMessageContaining("it is sam's own request")
        .hasMessageContaining("separation of duties");
    AccessRequest stillPending =
        with(
            clock,
            workspace -> workspace.runStore().accessRequests().find(asked.id()).orElseThrow());
    assertThat(stillPending.decision()).isEmpty();
    // another steward (grant on published.*) may
    assertThat(approve(clock, asked.id(), "grace").decision().orElseThrow().by())
        .isEqualTo("grace");
  }

  @Test
  void aGroupsRequestIsDecidedByNoneOfItsMembersAndGrantsThemAll() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-03T12:00:00Z"));
    String sql = "select count(*) from published.countries";
    assertThatThrownBy(() -> query(clock, "bob", sql)).isInstanceOf(AccessDeniedException.class);
    AccessRequest asked =
        request(clock, "crm", "published.countries", List.of(), Duration.ofHours(3));
    assertThatThrownBy(() -> approve(clock, asked.id(), "bob"))
        .as("bob is a member of crm, which asked")
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("it is the request of crm, a group of bob");
    approve(clock, asked.id(), "grace");
    assertThat(query(clock, "bob", sql).rows()).containsExactly(List.of(3L));
    clock.advance(Duration.ofHours(3));
    assertThatThrownBy(() -> query(clock, "bob", sql)).isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void aPrincipalThatIsNeitherOwnerNorGrantHolderCannotDecide() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-04T09:00:00Z"));
    AccessRequest asked =
        request(clock, "otto", "published.customers", List.of(), Duration.ofDays(2));
    assertThatThrownBy(() -> approve(clock, asked.id(), "carl"))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage(
            "carl may not approve access request "
                + asked.id()
                + " for published.customers: only its owner (crm) or a principal whose role holds"
                + " grant or admin on it may decide, and no role of carl (analyst, staff) does");
    assertThatThrownBy(
            () ->
                with(
                    clock,
                    workspace ->
                        new AccessRequestWorkflow(workspace)
                            .deny(asked.id(), "nora", Optional.of("no"))))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("nora may not deny access request " + asked.id());
    List<AuditRecord> refused =
        with(
            clock,
            workspace ->
                workspace
                    .runStore()
                    .audit()
                    .records(AuditFilter.all().withAction(AuditAction.REFUSED)));
    assertThat(refused).anySatisfy(record -> assertThat(record.principal()).isEqualTo("carl"));
    assertThatThrownBy(() -> approve(clock, asked.id(), "crm"))
        .as("a group does not decide: its members would decide as it")
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining(
            "crm may not approve access request " + asked.id() + ": it is a group");
    // the owner's group member denies it; a decision is final
    AccessRequest denied =
        with(
            clock,
            workspace ->
                new AccessRequestWorkflow(workspace)
                    .deny(asked.id(), "bob", Optional.of("use the aggregated view")));
    assertThat(denied.status(clock.instant())).isEqualTo(AccessRequestStatus.DENIED);
    assertThatThrownBy(() -> approve(clock, asked.id(), "grace"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Access request " + asked.id() + " was denied already, by bob");
    assertThatThrownBy(() -> query(clock, "otto", "select * from published.customers"))
        .isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void badInputGetsClearErrors() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-05T09:00:00Z"));
    assertThatThrownBy(() -> AccessRequestWorkflow.period("3 weeks"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--for '3 weeks' is not a period: write e.g. 30d, 12h or 90m");
    assertThatThrownBy(() -> AccessRequestWorkflow.period("400d"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> AccessRequestWorkflow.period("-1d"))
        .isInstanceOf(InvalidInputException.class);
    assertThat(AccessRequestWorkflow.period("12h")).isEqualTo(Duration.ofHours(12));
    assertThatThrownBy(
            () -> request(clock, "nora", "published.custmers", List.of(), Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Unknown table 'published.custmers': did you mean published.customers?");
    assertThatThrownBy(
            () ->
                request(clock, "nora", "published.customers", List.of("emial"), Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Unknown column 'emial' of published.customers: did you mean email?");
    assertThatThrownBy(
            () -> request(clock, "norah", "published.customers", List.of(), Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown principal 'norah': did you mean nora?");
    assertThatThrownBy(
            () ->
                with(
                    clock,
                    workspace ->
                        new AccessRequestWorkflow(workspace)
                            .request(
                                "nora", "published.customers", List.of(), " ", Duration.ofDays(1))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs a reason");
    assertThatThrownBy(
            () -> request(clock, "ana", "published.orders", List.of(), Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "ana already reads published.orders through read on published.orders");
    assertThatThrownBy(() -> approve(clock, 9_999, "bob"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("No access request 9999");
  }

  @Test
  void requestsAndDecisionsAreInTheAuditLogAndTheChainHolds() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-06T09:00:00Z"));
    AccessRequest asked =
        request(clock, "otto", "published.customers", List.of("email"), Duration.ofHours(12));
    approve(clock, asked.id(), "root");
    List<AuditRecord> records =
        with(clock, workspace -> workspace.runStore().audit().records(AuditFilter.all()));
    assertThat(records)
        .anySatisfy(
            record -> {
              assertThat(record.action()).isEqualTo(AuditAction.ACCESS_REQUEST);
              assertThat(record.principal()).isEqualTo("otto");
              assertThat(record.columns()).containsExactly("published.customers.email");
              assertThat(record.details())
                  .contains("\"request_id\":" + asked.id())
                  .contains("quarterly churn analysis")
                  .contains("\"period\":\"12h\"");
            })
        .anySatisfy(
            record -> {
              assertThat(record.action()).isEqualTo(AuditAction.ACCESS_DECISION);
              assertThat(record.principal()).isEqualTo("root");
              assertThat(record.details())
                  .contains("\"decision\":\"approved\"")
                  .contains("\"requester\":\"otto\"")
                  .contains("2026-12-06T21:00:00Z");
            });
    boolean intact = with(clock, workspace -> workspace.runStore().audit().verify().intact());
    assertThat(intact).isTrue();
  }

  @Test
  void theReportShowsOwnersClassificationAndOverBroadGrants() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-07T09:00:00Z"));
    AccessReport report = with(clock, workspace -> new AccessReview(workspace).report());
    AccessReport.TableReport customers = table(report, "published.customers");
    assertThat(customers.owner()).contains("crm");
    assertThat(customers.classifiedShare()).isEqualTo(1.0);
    assertThat(customers.findings())
        .extracting(AccessReport.Finding::kind, AccessReport.Finding::role)
        .contains(
            org.assertj.core.groups.Tuple.tuple(AccessReport.FindingKind.WILDCARD_ZONE, "auditor"),
            org.assertj.core.groups.Tuple.tuple(AccessReport.FindingKind.UNMASKED_PII, "auditor"));
    assertThat(customers.findings())
        .filteredOn(finding -> finding.kind() == AccessReport.FindingKind.UNMASKED_PII)
        .allSatisfy(
            finding ->
                assertThat(finding.detail()).contains("name (pii.name)").doesNotContain("email"));
    AccessReport.TableReport orders = table(report, "published.orders");
    assertThat(orders.owner()).isEmpty();
    assertThat(orders.classifiedColumns()).isZero();
    assertThat(orders.findings())
        .extracting(AccessReport.Finding::kind)
        .containsExactly(AccessReport.FindingKind.EVERYONE);
    AccessReport.TableReport countries = table(report, "published.countries");
    assertThat(countries.compliant()).isTrue();
    assertThat(report.tables())
        .extracting(table -> table.table().toString())
        .doesNotContain("raw.people__rejected");
  }

  private static AccessReport.TableReport table(AccessReport report, String name) {
    return report.tables().stream()
        .filter(table -> table.table().toString().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
