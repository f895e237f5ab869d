package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Iceberg REST catalog (issue 14 item 6) over a real project (DuckDB, Iceberg, SQLite), with
 * Iceberg's own {@link RESTCatalog} as the client, reading the files it is pointed at with
 * Iceberg's generic reader, as an engine would.
 */
class IcebergCatalogTest {
  @TempDir static Path project;
  private static Workspace workspace;
  private static SluiceServer server;
  private static String analystToken;
  private static String adminToken;

  @BeforeAll
  static void serve() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n1,Alice Secret,alice.secret@hidden-mail.com,DE\n"
            + "2,Bob Hidden,bob.hidden@private.org,FR\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        project,
        "models/published/orders.sql",
        "select id as order_id, country from {{ ref('people') }}\n");
    write(
        project,
        "models/published/regions.sql",
        "select distinct country from {{ ref('people') }}\n");
    write(project, "models/curated/internal.sql", "select id from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        "users:\n"
            + "  - {name: analyst, roles: [analyst], attributes: {country: DE}}\n"
            + "  - {name: boss, roles: [admin]}\n"
            + "roles:\n  - {name: analyst}\n  - {name: admin}\n"
            + "grants:\n"
            + "  - {role: analyst, privileges: [read], on: [published.*]}\n"
            + "  - {role: admin, privileges: [admin], on: [curated.*, published.*]}\n"
            + "masks:\n"
            + "  - {column: published.customers.email, mask: email_domain, exempt: [admin]}\n"
            + "row_filters:\n"
            + "  - {table: published.regions, roles: [analyst], where: country ="
            + " principal.country}\n");
    workspace = Workspace.open(project);
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
    analystToken = token("analyst");
    adminToken = token("boss");
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
    workspace.close();
  }

  private static String token(String principal) {
    IssuedToken issued = Credentials.newToken(principal, Instant.now(), null, "test");
    workspace.runStore().tokens().create(issued.record());
    return issued.token();
  }

  private static RESTCatalog catalog(String token) {
    RESTCatalog catalog = new RESTCatalog();
    Map<String, String> properties = new TreeMap<>();
    properties.put("uri", server.url() + "/iceberg");
    if (token != null) {
      properties.put("token", token);
    }
    catalog.initialize("sluice", properties);
    return catalog;
  }

  private static List<Map<String, Object>> rows(Table table) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        Map<String, Object> row = new TreeMap<>();
        for (Types.NestedField field : table.schema().columns()) {
          row.put(field.name(), String.valueOf(record.getField(field.name())));
        }
        rows.add(row);
      }
    }
    rows.sort(java.util.Comparator.comparing(Object::toString));
    return rows;
  }

  @Test
  void anAnalystListsWhatItMayReadAndScansATableServedRaw() throws IOException {
    try (RESTCatalog catalog = catalog(analystToken)) {
      assertThat(catalog.listNamespaces()).containsExactly(Namespace.of("published"));
      assertThat(catalog.listTables(Namespace.of("published")))
          .extracting(TableIdentifier::name)
          .containsExactlyInAnyOrder("customers", "orders", "regions");

      Table orders = catalog.loadTable(TableIdentifier.of("published", "orders"));
      assertThat(orders.schema().columns())
          .extracting(Types.NestedField::name)
          .containsExactly("order_id", "country");
      assertThat(rows(orders))
          .containsExactly(
              Map.of("country", "DE", "order_id", "1"), Map.of("country", "FR", "order_id", "2"));
    }
    List<AuditRecord> served =
        workspace
            .runStore()
            .audit()
            .records(AuditFilter.all().withAction(AuditAction.QUERY).withTable("published.orders"));
    assertThat(served).isNotEmpty();
    assertThat(served.get(served.size() - 1).details())
        .contains("iceberg_rest")
        .contains("load_table")
        .contains("analyst");
  }

  @Test
  void aMaskedOrFilteredTableIsRefusedWithTheWayToReadItGoverned() {
    try (RESTCatalog catalog = catalog(analystToken)) {
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("published", "customers")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("column email is masked (email_domain)")
          .hasMessageContaining("POST /api/v1/query")
          .hasMessageNotContaining("alice");
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("published", "regions")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("a row filter applies")
          .hasMessageContaining("SQL endpoint");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    List<AuditRecord> refused =
        workspace
            .runStore()
            .audit()
            .records(
                AuditFilter.all().withAction(AuditAction.REFUSED).withTable("published.customers"));
    assertThat(refused).isNotEmpty();
    assertThat(refused.get(refused.size() - 1).details()).contains("masked");
  }

  @Test
  void aListedTableExistsEvenWhenItIsNotServedRaw() throws IOException {
    try (RESTCatalog catalog = catalog(analystToken)) {
      assertThat(catalog.tableExists(TableIdentifier.of("published", "orders"))).isTrue();
      assertThat(catalog.tableExists(TableIdentifier.of("published", "customers"))).isTrue();
      assertThat(catalog.tableExists(TableIdentifier.of("published", "nothing"))).isFalse();
      assertThatThrownBy(() -> catalog.tableExists(TableIdentifier.of("curated", "internal")))
          .isInstanceOf(ForbiddenException.class);
    }
  }

  @Test
  void anUngrantedTableIsNeitherListedNorServed() throws IOException {
    try (RESTCatalog catalog = catalog(analystToken)) {
      assertThatThrownBy(() -> catalog.listTables(Namespace.of("curated")))
          .isInstanceOf(NoSuchNamespaceException.class);
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("curated", "internal")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("'analyst' may not read curated.internal")
          .hasMessageContaining("no grant of read");
      // the same answer whether the table exists or not
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("curated", "missing")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("may not read curated.missing");
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("nowhere", "x")))
          .isInstanceOf(NoSuchNamespaceException.class)
          .hasMessageContaining("Sluice's namespaces are its zones");
    }
  }

  @Test
  void writesAreForAdministratorsOnly() throws IOException {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    TableIdentifier scratch = TableIdentifier.of("published", "scratch");
    try (RESTCatalog analyst = catalog(analystToken)) {
      assertThatThrownBy(() -> analyst.createTable(scratch, schema))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("Only administrators")
          .hasMessageContaining("'analyst'");
      assertThatThrownBy(() -> analyst.dropTable(TableIdentifier.of("published", "orders")))
          .isInstanceOf(ForbiddenException.class);
    }
    assertThat(workspace.lake().findTable(new TableName("published", "scratch"))).isEmpty();
    assertThat(workspace.lake().findTable(new TableName("published", "orders"))).isPresent();
    try (RESTCatalog admin = catalog(adminToken)) {
      Table created = admin.createTable(scratch, schema);
      assertThat(created.schema().asStruct()).isEqualTo(schema.asStruct());
      created.updateProperties().set("owner", "boss").commit();
      assertThat(workspace.lake().loadTable(new TableName("published", "scratch")).properties())
          .containsEntry("owner", "boss");
      assertThat(admin.dropTable(scratch)).isTrue();
    }
    assertThat(workspace.lake().findTable(new TableName("published", "scratch"))).isEmpty();
  }

  @Test
  void anAdministratorExemptFromTheMaskReadsTheStoredValues() throws IOException {
    try (RESTCatalog admin = catalog(adminToken)) {
      Table customers = admin.loadTable(TableIdentifier.of("published", "customers"));
      assertThat(rows(customers))
          .extracting(row -> row.get("email"))
          .containsExactly("alice.secret@hidden-mail.com", "bob.hidden@private.org");
    }
  }

  @Test
  void readersSeeTheMainBranchOnlyNeverAnAuditBranchOfUncheckedData() throws IOException {
    Table stored = workspace.lake().loadTable(new TableName("published", "orders"));
    long published = stored.currentSnapshot().snapshotId();
    stored.manageSnapshots().createBranch("audit_test", published).commit();
    stored.newAppend().toBranch("audit_test").commit();
    long unchecked = stored.refs().get("audit_test").snapshotId();
    try (RESTCatalog catalog = catalog(analystToken)) {
      Table served = catalog.loadTable(TableIdentifier.of("published", "orders"));
      assertThat(served.refs()).containsOnlyKeys(SnapshotRef.MAIN_BRANCH);
      assertThat(served.currentSnapshot().snapshotId()).isEqualTo(published);
      assertThat(served.snapshot(unchecked)).isNull();
      assertThat(rows(served)).hasSize(2);
    } finally {
      stored.manageSnapshots().removeBranch("audit_test").commit();
    }
  }

  @Test
  void withoutValidCredentialsTheCatalogAnswers401InItsOwnErrorFormat() {
    assertThatThrownBy(() -> catalog(null))
        .isInstanceOf(NotAuthorizedException.class)
        .hasMessageContaining("Sign in first");
    assertThatThrownBy(() -> catalog("sluice_0000000000000000_" + "a".repeat(43)))
        .isInstanceOf(NotAuthorizedException.class)
        .hasMessageContaining("Unknown API token");
    Http.Response raw = new Http(server.url()).get("/iceberg/v1/namespaces");
    assertThat(raw.status()).isEqualTo(401);
    assertThat(raw.json().path("error").path("code").asInt()).isEqualTo(401);
    assertThat(raw.json().path("error").path("type").asText()).isEqualTo("NotAuthorizedException");
    assertThat(raw.body()).doesNotContain("at dev.sluice");
  }

  @Test
  void aBadRequestBodyIs400WithWhereItIsWrong() {
    Http.Response bad =
        new Http(server.url())
            .post(
                "/iceberg/v1/namespaces/published/tables",
                "{\"name\": \"x\", \"schema\": [1,",
                Http.bearer(adminToken));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("error").path("message").asText())
        .contains("CreateTableRequest")
        .contains("line 1");
  }
}
