package dev.sluice.engine.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.EngineSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark engine's settings, a server that is not there, a server of another version. */
class SparkRemoteTest {
  @TempDir Path directory;

  private EngineSettings settings(Map<String, String> options) {
    return new EngineSettings(directory, null, options);
  }

  @Test
  void theRemoteIsRequiredAndMustBeAnScAddress() {
    assertThatThrownBy(() -> SparkRemote.of(settings(Map.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("spark: {remote: \"sc://host:15002\"}");
    assertThatThrownBy(() -> SparkRemote.of(settings(Map.of("remote", "http://spark:15002"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sc://host:port");
  }

  @Test
  void aTokenInTheAddressIsRefusedWithoutRepeatingIt() {
    assertThatThrownBy(
            () ->
                SparkRemote.of(settings(Map.of("remote", "sc://spark:15002/;token=s3cr3t-value"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("spark.token")
        .hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void theDefaultPortIsSparkConnects() {
    SparkRemote remote =
        SparkRemote.of(settings(Map.of("remote", "sc://spark.example.com", "token", "t0ken")));
    assertThat(remote.address()).isEqualTo("sc://spark.example.com:15002");
    assertThat(remote.toString()).doesNotContain("t0ken");
  }

  @Test
  void aServerOfAnotherSparkVersionIsRefusedAtStartNamingBothVersions() {
    // the suite's real Spark Connect server (Spark 4.0), met by a client that says it is 3.5
    SparkConnectTestServer server = SparkConnectTestServer.shared();
    SparkRemote remote = SparkRemote.of(settings(server.options()));
    assertThatThrownBy(
            () ->
                SparkEngine.connect(
                    remote, Optional.empty(), Optional.empty(), Optional.empty(), "3.5.4"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("runs Spark 4.0.")
        .hasMessageContaining("Spark Connect client is 3.5.4")
        .hasMessageContaining("run a Spark 3.5.x server")
        .hasMessageContaining(server.remote());
    // the client Sluice ships is of the server's version
    SparkEngine engine =
        SparkEngine.connect(remote, Optional.empty(), Optional.empty(), Optional.empty());
    engine.close();
  }

  @Test
  void anUnreachableServerIsATransientFailureNamingTheAddressNeverTheToken() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String remote = "sc://127.0.0.1:" + port;
    assertThatThrownBy(
            () ->
                new SparkEngineProvider()
                    .start(settings(Map.of("remote", remote, "token", "very-secret-token"))))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining(remote)
        .hasMessageNotContaining("very-secret-token");
  }
}
