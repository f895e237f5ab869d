package dev.sluice.engine.spark;

import java.nio.file.Path;
import java.util.Map;

/**
 * The tests' Spark Connect server: one {@link LocalSparkConnectServer} (2 GB of heap, {@code
 * local[2]}) for the whole test JVM, started by the first test that asks for it (about 15 seconds)
 * and stopped when the JVM exits.
 */
public final class SparkConnectTestServer {
  private static final Path CLASSPATH =
      Path.of("..", "sluice-spark-connect-server", "target", "spark-connect-server.classpath");

  private static final Path WORK = Path.of("target", "spark-connect-server");

  private static SparkConnectTestServer shared;

  private final LocalSparkConnectServer server;

  private SparkConnectTestServer(LocalSparkConnectServer server) {
    this.server = server;
  }

  /** The suite's server, started on first use. */
  public static synchronized SparkConnectTestServer shared() {
    if (shared == null) {
      LocalSparkConnectServer server = LocalSparkConnectServer.start(CLASSPATH, WORK, "2g", 2);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop-spark-connect"));
      shared = new SparkConnectTestServer(server);
    }
    return shared;
  }

  /** The server's {@code sc://} address. */
  public String remote() {
    return server.remote();
  }

  /** The server's log: its standard output and error, Spark's and Iceberg's logging. */
  Path log() {
    return WORK.resolve("server.log");
  }

  /** The engine options that name this server. */
  Map<String, String> options() {
    return Map.of(SparkRemote.REMOTE, remote());
  }
}
