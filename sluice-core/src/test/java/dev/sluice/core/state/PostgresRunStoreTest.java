package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SluiceException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The run store on PostgreSQL, each test in a schema of its own. It runs when
 * SLUICE_TEST_POSTGRES_URL names a server to use, such as
 * jdbc:postgresql://127.0.0.1:5432/postgres, with SLUICE_TEST_POSTGRES_USER and
 * SLUICE_TEST_POSTGRES_PASSWORD for the credentials.
 */
@EnabledIfEnvironmentVariable(named = PostgresRunStoreTest.URL_VARIABLE, matches = ".+")
class PostgresRunStoreTest extends RunStoreContractTest {
  static final String URL_VARIABLE = "SLUICE_TEST_POSTGRES_URL";

  private final String schema = "sluice_state_test_" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  String jdbcUrl() {
    return System.getenv(URL_VARIABLE);
  }

  @Override
  Map<String, String> properties() {
    Map<String, String> properties = new HashMap<>(credentials());
    properties.put("currentSchema", schema);
    return properties;
  }

  @BeforeEach
  @Override
  void openStore() {
    execute("CREATE SCHEMA " + schema);
    super.openStore();
  }

  @AfterEach
  @Override
  void closeStore() {
    super.closeStore();
    execute("DROP SCHEMA " + schema + " CASCADE");
  }

  @Test
  void explainsAWrongPasswordWithoutShowingIt() {
    Map<String, String> wrong = new HashMap<>(properties());
    wrong.put("password", "certainly-wrong-password");

    assertThatThrownBy(() -> RunStore.open(jdbcUrl(), wrong))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining(jdbcUrl())
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("certainly-wrong-password");
  }

  private static Map<String, String> credentials() {
    Map<String, String> credentials = new HashMap<>();
    String user = System.getenv("SLUICE_TEST_POSTGRES_USER");
    String password = System.getenv("SLUICE_TEST_POSTGRES_PASSWORD");
    if (user != null) {
      credentials.put("user", user);
    }
    if (password != null) {
      credentials.put("password", password);
    }
    return credentials;
  }

  private void execute(String sql) {
    Properties driverProperties = new Properties();
    driverProperties.putAll(credentials());
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), driverProperties);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run " + sql, e);
    }
  }
}
