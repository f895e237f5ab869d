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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark engine's settings, and a server that is not there. */
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
