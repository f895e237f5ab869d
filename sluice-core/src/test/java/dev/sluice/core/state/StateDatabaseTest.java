package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SluiceException;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the store reads a state database URL, and what it says when it cannot use one. */
class StateDatabaseTest {

  @Test
  void explainsAnUnsupportedUrl() {
    assertThatThrownBy(() -> RunStore.open("jdbc:mysql://localhost/state", Map.of()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("jdbc:mysql://localhost/state")
        .hasMessageContaining("jdbc:sqlite:")
        .hasMessageContaining("jdbc:postgresql:");
    assertThatThrownBy(() -> RunStore.open("state.db", Map.of()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("Unsupported state database URL");
  }

  @Test
  void refusesAnSqliteDatabaseThatIsNoFile() {
    assertThatThrownBy(() -> RunStore.open("jdbc:sqlite::memory:", Map.of()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("names no file");
    assertThatThrownBy(() -> RunStore.open("jdbc:sqlite:", Map.of()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("names no file");
  }

  @Test
  void explainsAnUnreachableDatabaseWithoutShowingThePassword() {
    // Port 1 on the loopback address: nothing listens there, so the connection is refused.
    String url = "jdbc:postgresql://127.0.0.1:1/sluice?user=sluice&password=hunter2-in-url";

    assertThatThrownBy(() -> RunStore.open(url, Map.of("password", "s3cret-in-properties")))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("127.0.0.1:1/sluice")
        .hasMessageContaining("password=****")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void keepsTheDriversReasonAfterTheMaskedUrl() {
    StateDatabase database =
        StateDatabase.of("jdbc:postgresql://127.0.0.1:5432/state?password=wrong-pw", Map.of());

    SluiceException failure =
        database.failure(
            "connect",
            new SQLException("FATAL: password authentication failed for user \"sluice\""));

    assertThat(failure)
        .hasMessage(
            "Cannot connect in state database jdbc:postgresql://127.0.0.1:5432/state?password=****:"
                + " FATAL: password authentication failed for user \"sluice\"");
  }

  @Test
  void masksPasswordsInTheUrlAndInMessages() {
    StateDatabase database =
        StateDatabase.of(
            "jdbc:postgresql://admin:pa55word@db.example:5432/state?ssl=true&sslpassword=k3y",
            Map.of("password", "other-secret"));

    assertThat(database.vendor()).isEqualTo(StateDatabase.Vendor.POSTGRESQL);
    assertThat(database.describe())
        .isEqualTo("jdbc:postgresql://admin:****@db.example:5432/state?ssl=true&sslpassword=****");
    assertThat(database.redact("failed with pa55word, k3y and other-secret"))
        .isEqualTo("failed with ****, **** and ****");
  }
}
