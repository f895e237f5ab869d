package dev.sluice.engine.spark;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark Connect server for the tests: a child JVM running Spark's own {@code
 * SparkConnectServer} (a local Spark session with the Spark Connect plugin) on the classpath that
 * the {@code sluice-spark-connect-server} module resolves from Maven Central, with Iceberg's Spark
 * runtime and the catalog's JDBC drivers. One server for the whole test JVM, started by the first
 * test that asks for it and stopped when the JVM exits: it takes about 15 seconds to start and 2 GB
 * of heap, on {@code local[2]}.
 */
public final class SparkConnectTestServer {
  private static final Path CLASSPATH =
      Path.of("..", "sluice-spark-connect-server", "target", "spark-connect-server.classpath");

  /** The options Spark needs on Java 17 (Spark's own launcher passes the same). */
  private static final List<String> JAVA_OPTIONS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  private static SparkConnectTestServer shared;

  private final Process process;
  private final int port;

  private SparkConnectTestServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The suite's server, started on first use. */
  public static synchronized SparkConnectTestServer shared() {
    if (shared == null) {
      shared = start();
      SparkConnectTestServer started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-spark-connect"));
    }
    return shared;
  }

  /** The server's {@code sc://} address. */
  public String remote() {
    return "sc://127.0.0.1:" + port;
  }

  /** The engine options that name this server. */
  Map<String, String> options() {
    return Map.of(SparkRemote.REMOTE, remote());
  }

  private static SparkConnectTestServer start() {
    try {
      if (!Files.isRegularFile(CLASSPATH)) {
        throw new IllegalStateException(
            CLASSPATH.toAbsolutePath()
                + " is missing: build the reactor (./mvnw -pl sluice-engine-spark -am test), which"
                + " resolves the Spark Connect server's classpath");
      }
      String classpath = Files.readString(CLASSPATH, StandardCharsets.UTF_8).strip();
      int port = freePort();
      Path work = Files.createDirectories(Path.of("target", "spark-connect-server"));
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.add("-Xmx2g");
      command.addAll(JAVA_OPTIONS);
      command.add(
          "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")).toAbsolutePath());
      for (Map.Entry<String, String> conf : serverConf(port, work).entrySet()) {
        command.add("-D" + conf.getKey() + "=" + conf.getValue());
      }
      command.add("-cp");
      command.add(classpath);
      command.add("org.apache.spark.sql.connect.service.SparkConnectServer");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("server.log").toFile())
              .start();
      SparkConnectTestServer server = new SparkConnectTestServer(process, port);
      await("the Spark Connect server on port " + port + " (see " + work + "/server.log)")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> server.accepts() || !process.isAlive());
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Spark Connect server exited with "
                + process.exitValue()
                + "; see "
                + work.resolve("server.log").toAbsolutePath());
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spark's settings: local, small, on the loopback address only. */
  private static Map<String, String> serverConf(int port, Path work) {
    return Map.ofEntries(
        Map.entry("spark.master", "local[2]"),
        Map.entry("spark.app.name", "sluice-tests"),
        Map.entry("spark.ui.enabled", "false"),
        Map.entry("spark.driver.host", "127.0.0.1"),
        Map.entry("spark.driver.bindAddress", "127.0.0.1"),
        Map.entry("spark.connect.grpc.binding.address", "127.0.0.1"),
        Map.entry("spark.connect.grpc.binding.port", Integer.toString(port)),
        Map.entry("spark.sql.shuffle.partitions", "2"),
        Map.entry("spark.default.parallelism", "2"),
        Map.entry(
            "spark.sql.warehouse.dir", work.resolve("spark-warehouse").toAbsolutePath().toString()),
        Map.entry(
            "spark.sql.extensions",
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"));
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
