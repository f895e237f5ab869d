package dev.sluice.flight;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flight SQL endpoint (issue 14 item 5) over a real project (DuckDB, Iceberg, SQLite state)
 * with policies, through the Arrow Flight SQL JDBC driver as a BI tool uses it: sign-in with a
 * password or an API token, metadata browsing, queries and prepared statements through the query
 * service (a masked column, a refused table), and clear errors.
 */
class FlightSqlTest {
  @TempDir static Path project;
  private static Workspace workspace;
  private static SluiceFlightServer server;
  private static String analystToken;

  private static final String PASSWORD = "correct horse battery staple";

  @BeforeAll
  static void serve() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n1,Alice Secret,alice.secret@hidden-mail.com,DE\n"
            + "2,Bob Hidden,bob.hidden@private.org,FR\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(project, "models/curated/internal.sql", "select id from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        "users:\n"
            + "  - {name: analyst, roles: [analyst]}\n"
            + "  - {name: boss, roles: [admin]}\n"
            + "roles:\n  - {name: analyst}\n  - {name: admin}\n"
            + "grants:\n"
            + "  - {role: analyst, privileges: [read], on: [published.customers]}\n"
            + "  - {role: admin, privileges: [admin], on: [curated.*, published.*]}\n"
            + "masks:\n"
            + "  - {column: published.customers.email, mask: email_domain, exempt: [admin]}\n");
    workspace = Workspace.open(project);
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
    Instant now = Instant.now();
    analystToken = token("analyst", now.plus(Duration.ofDays(1)));
    workspace
        .runStore()
        .passwords()
        .set("analyst", Credentials.hashPassword(PASSWORD.toCharArray()), now);
    workspace
        .runStore()
        .passwords()
        .set("boss", Credentials.hashPassword(PASSWORD.toCharArray()), now);
    server =
        SluiceFlightServer.start(
            new FlightOptions("127.0.0.1", 0, false), () -> workspace, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
    workspace.close();
  }

  private static String token(String principal, Instant expiresAt) {
    IssuedToken issued = Credentials.newToken(principal, Instant.now(), expiresAt, "test");
    workspace.runStore().tokens().create(issued.record());
    return issued.token();
  }

  private static Connection connect(String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return DriverManager.getConnection(server.jdbcUrl(), properties);
  }

  private static List<List<String>> rows(ResultSet resultSet) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    int columns = resultSet.getMetaData().getColumnCount();
    while (resultSet.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        row.add(resultSet.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<AuditRecord> audit(AuditAction action) {
    return workspace.runStore().audit().records(AuditFilter.all().withAction(action));
  }

  @Test
  void metadataListsOnlyWhatThePrincipalMayRead() throws SQLException {
    try (Connection analyst = connect("analyst", PASSWORD)) {
      DatabaseMetaData metadata = analyst.getMetaData();
      try (ResultSet catalogs = metadata.getCatalogs()) {
        assertThat(rows(catalogs)).isEmpty();
      }
      try (ResultSet schemas = metadata.getSchemas()) {
        List<String> names = new ArrayList<>();
        while (schemas.next()) {
          names.add(schemas.getString("TABLE_SCHEM"));
        }
        assertThat(names).containsExactly("published");
      }
      try (ResultSet tables = metadata.getTables(null, null, "%", null)) {
        List<String> names = new ArrayList<>();
        while (tables.next()) {
          names.add(tables.getString("TABLE_SCHEM") + "." + tables.getString("TABLE_NAME"));
          assertThat(tables.getString("TABLE_TYPE")).isEqualTo("TABLE");
        }
        assertThat(names).containsExactly("published.customers");
      }
      try (ResultSet columns = metadata.getColumns(null, "published", "customers", "%")) {
        List<String> names = new ArrayList<>();
        while (columns.next()) {
          names.add(columns.getString("COLUMN_NAME"));
        }
        assertThat(names).containsExactly("id", "name", "email", "country");
      }
      try (ResultSet none = metadata.getTables(null, "curated", "%", null)) {
        assertThat(rows(none)).isEmpty();
      }
    }
    try (Connection boss = connect("boss", PASSWORD);
        ResultSet tables = boss.getMetaData().getTables(null, null, "%", null)) {
      List<String> names = new ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString("TABLE_SCHEM") + "." + tables.getString("TABLE_NAME"));
      }
      assertThat(names).contains("curated.internal", "published.customers");
    }
  }

  @Test
  void theAnalystReadsMaskedEmailsAndTheQueryIsAudited() throws SQLException {
    try (Connection analyst = connect("analyst", PASSWORD);
        Statement statement = analyst.createStatement();
        ResultSet result =
            statement.executeQuery("select id, name, email from published.customers order by id")) {
      List<List<String>> rows = rows(result);
      assertThat(rows).hasSize(2);
      assertThat(rows.get(0).get(0)).isEqualTo("1");
      assertThat(rows.get(0).get(1)).isEqualTo("Alice Secret");
      assertThat(rows.get(0).get(2)).endsWith("hidden-mail.com").doesNotContain("alice.secret");
      assertThat(rows.toString()).doesNotContain("alice.secret").doesNotContain("bob.hidden");
    }
    assertThat(audit(AuditAction.QUERY))
        .anySatisfy(
            record -> {
              assertThat(record.details()).contains("\"as\":\"analyst\"");
              assertThat(record.details()).contains("published.customers.email");
            });

    try (Connection boss = connect("boss", PASSWORD);
        Statement statement = boss.createStatement();
        ResultSet result =
            statement.executeQuery("select email from published.customers order by id")) {
      assertThat(rows(result).get(0)).containsExactly("alice.secret@hidden-mail.com");
    }
  }

  @Test
  void aPreparedStatementBindsItsParameterThroughTheQueryService() throws SQLException {
    try (Connection analyst = connect("analyst", PASSWORD);
        PreparedStatement statement =
            analyst.prepareStatement("select name, email from published.customers where id = ?")) {
      assertThat(statement.getMetaData().getColumnCount()).isEqualTo(2);
      assertThat(statement.getParameterMetaData().getParameterCount()).isEqualTo(1);
      statement.setLong(1, 2);
      try (ResultSet result = statement.executeQuery()) {
        List<List<String>> rows = rows(result);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get(0)).isEqualTo("Bob Hidden");
        assertThat(rows.get(0).get(1)).endsWith("private.org").doesNotContain("bob.hidden");
      }
      statement.setLong(1, 1);
      try (ResultSet result = statement.executeQuery()) {
        assertThat(rows(result).get(0).get(0)).isEqualTo("Alice Secret");
      }
    }
  }

  @Test
  void anUngrantedTableIsRefusedWithItsNameAndTheRefusalIsAudited() throws SQLException {
    try (Connection analyst = connect("analyst", PASSWORD);
        Statement statement = analyst.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("select * from curated.internal"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("curated.internal")
          .hasMessageContaining("analyst");
      assertThatThrownBy(
              () -> analyst.prepareStatement("select id from curated.internal where id = ?"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("curated.internal");
    }
    assertThat(audit(AuditAction.REFUSED))
        .anySatisfy(record -> assertThat(record.tables()).contains("curated.internal"));
  }

  @Test
  void aWrongPasswordIsRefusedAndAudited() {
    assertThatThrownBy(() -> connect("analyst", "not the password at all"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Wrong user name or password");
    assertThat(audit(AuditAction.LOGIN))
        .anySatisfy(
            record ->
                assertThat(record.details())
                    .contains("\"outcome\":\"failed\"")
                    .contains("\"client\":\"flight-sql\"")
                    .doesNotContain("not the password"));
    assertThatThrownBy(() -> connect("nobody", PASSWORD))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Wrong user name or password");
  }

  @Test
  void withAnOpenIdConnectProviderPasswordsAreRefusedAndTokensStillWork(@TempDir Path other)
      throws Exception {
    write(
        other,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc: {issuer: https://login.example.com, client_id: sluice}\n");
    write(other, "policies.yaml", "users:\n  - {name: analyst}\n");
    try (Workspace withProvider = Workspace.open(other)) {
      Instant now = Instant.now();
      withProvider
          .runStore()
          .passwords()
          .set("analyst", Credentials.hashPassword(PASSWORD.toCharArray()), now);
      IssuedToken issued = Credentials.newToken("analyst", now, null, "test");
      withProvider.runStore().tokens().create(issued.record());
      SluiceFlightServer flight =
          SluiceFlightServer.start(
              new FlightOptions("127.0.0.1", 0, false), () -> withProvider, Clock.systemUTC());
      try {
        Properties byPassword = new Properties();
        byPassword.setProperty("user", "analyst");
        byPassword.setProperty("password", PASSWORD);
        assertThatThrownBy(() -> DriverManager.getConnection(flight.jdbcUrl(), byPassword))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("signs people in through OpenID Connect");
        Properties byToken = new Properties();
        byToken.setProperty("user", "analyst");
        byToken.setProperty("password", issued.token());
        try (Connection connection = DriverManager.getConnection(flight.jdbcUrl(), byToken);
            ResultSet one = connection.createStatement().executeQuery("select 1 as x")) {
          assertThat(rows(one)).containsExactly(List.of("1"));
        }
      } finally {
        flight.close();
      }
    }
  }

  @Test
  void anApiTokenSignsInAsPasswordOrAsBearerAndStopsWhenRevoked() throws SQLException {
    try (Connection byPassword = connect("analyst", analystToken);
        Statement statement = byPassword.createStatement();
        ResultSet result = statement.executeQuery("select count(*) from published.customers")) {
      assertThat(rows(result)).containsExactly(List.of("2"));
    }
    assertThatThrownBy(() -> connect("boss", analystToken))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("The API token is for 'analyst', not 'boss'");

    String revoked = token("analyst", null);
    Properties properties = new Properties();
    properties.setProperty("token", revoked);
    Connection byBearer = DriverManager.getConnection(server.jdbcUrl(), properties);
    Statement statement = byBearer.createStatement();
    try (ResultSet result = statement.executeQuery("select 1 as one")) {
      assertThat(rows(result)).containsExactly(List.of("1"));
    }
    workspace.runStore().tokens().revoke(revoked.substring(7, 23), Instant.now());
    assertThatThrownBy(() -> statement.executeQuery("select 1 as one"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("was revoked");
    // the revoked token cannot even close what it opened on the server
    assertThatThrownBy(statement::close).isInstanceOf(SQLException.class);
    byBearer.close();
  }

  @Test
  void aStatementRunsOnceThroughFlightSqlsOwnClientAsAdbcSendsIt() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
                .build()) {
      CredentialCallOption bearer =
          client.authenticateBasicToken("analyst", PASSWORD).orElseThrow();
      FlightSqlClient sql = new FlightSqlClient(client);
      FlightInfo info =
          sql.execute("select id, email from published.customers order by id", bearer);
      assertThat(info.getRecords()).isEqualTo(2);
      assertThat(info.getSchema().getFields()).hasSize(2);
      List<String> emails = new ArrayList<>();
      try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), bearer)) {
        while (stream.next()) {
          VectorSchemaRoot root = stream.getRoot();
          for (int i = 0; i < root.getRowCount(); i++) {
            emails.add(root.getVector("email").getObject(i).toString());
          }
        }
      }
      assertThat(emails).hasSize(2).noneMatch(email -> email.contains("alice.secret"));
      // a result is fetched once: the same ticket again finds nothing
      assertThatThrownBy(
              () -> {
                try (FlightStream again =
                    sql.getStream(info.getEndpoints().get(0).getTicket(), bearer)) {
                  again.next();
                }
              })
          .hasMessageContaining("No result for this ticket");
      assertThatThrownBy(() -> sql.executeUpdate("delete from published.customers", bearer))
          .hasMessageContaining("read-only");
    }
  }

  @Test
  void badSqlIsRefusedWithAClearMessage() throws SQLException {
    try (Connection analyst = connect("analyst", PASSWORD);
        Statement statement = analyst.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("selec name from published.customers"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Syntax error");
      assertThatThrownBy(() -> statement.executeQuery("copy (select 1) to '/tmp/flight.csv'"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Only one SELECT is allowed");
      assertThatThrownBy(() -> statement.executeQuery("select * from published.customrs"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("did you mean published.customers?");
      assertThatThrownBy(() -> statement.executeQuery("select * from read_text('/etc/passwd')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("read_text() is not allowed");
    }
  }

  @Test
  void developmentModeIsRefusedOffLoopback() {
    assertThatThrownBy(
            () ->
                SluiceFlightServer.start(
                    new FlightOptions("0.0.0.0", 0, true), () -> workspace, Clock.systemUTC()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("loopback address only");
  }
}
