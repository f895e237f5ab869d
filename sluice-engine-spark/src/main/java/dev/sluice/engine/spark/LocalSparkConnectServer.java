package dev.sluice.engine.spark;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Spark Connect server on this machine, for tests and benchmarks: a child JVM running Spark's own
 * {@code SparkConnectServer} (a local Spark session with the Spark Connect plugin) on the class
 * path that the {@code sluice-spark-connect-server} module resolves from Maven Central (Spark,
 * Iceberg's Spark runtime, Hadoop's S3A with the AWS SDK, the catalogs' JDBC drivers), listening on
 * the loopback address only. Nothing of it is loaded into Sluice's JVM. A production deployment
 * runs its own Spark cluster instead (docs/deployment.md).
 */
public final class LocalSparkConnectServer implements AutoCloseable {
  /** The options Spark needs on Java 17 (from its launcher's JavaModuleOptions). */
  private static final List<String> JAVA_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final Process process;
  private final int port;

  private LocalSparkConnectServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a server and waits until it accepts connections.
   *
   * @param classpathFile the file listing the server's class path (the {@code
   *     sluice-spark-connect-server} module's {@code target/spark-connect-server.classpath})
   * @param workDirectory where its log ({@code server.log}), temporary files and Spark's warehouse
   *     directory go
   * @param heap the server's maximum heap, e.g. {@code 2g}
   * @param cores the local cores Spark uses, and its shuffle partitions
   * @throws IllegalStateException when the class path file is missing or the server exits or does
   *     not listen within three minutes (naming its log)
   */
  public static LocalSparkConnectServer start(
      Path classpathFile, Path workDirectory, String heap, int cores) {
    requireNonNull(classpathFile, "classpathFile is null");
    requireNonNull(workDirectory, "workDirectory is null");
    requireNonNull(heap, "heap is null");
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException(
          classpathFile.toAbsolutePath()
              + " is missing: build the reactor (./mvnw -pl sluice-spark-connect-server package),"
              + " which resolves the Spark Connect server's class path");
    }
    try {
      String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
      int port = freePort();
      Path work = Files.createDirectories(workDirectory);
      Path log = work.resolve("server.log");
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.add("-Xmx" + heap);
      command.addAll(JAVA_OPTIONS);
      command.add(
          "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")).toAbsolutePath());
      // the AWS SDK's newer default checksums (trailers on uploads) are refused by some
      // S3-compatible stores: computed and validated only where S3 requires them, as Sluice does
      command.add("-Daws.requestChecksumCalculation=when_required");
      command.add("-Daws.responseChecksumValidation=when_required");
      for (Map.Entry<String, String> conf : conf(port, work, cores).entrySet()) {
        command.add("-D" + conf.getKey() + "=" + conf.getValue());
      }
      command.add("-cp");
      command.add(classpath);
      command.add("org.apache.spark.sql.connect.service.SparkConnectServer");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      LocalSparkConnectServer server = new LocalSparkConnectServer(process, port);
      server.awaitListening(log);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The options a JVM running Spark needs on Java 17: the server's, and the bench's Spark local.
   */
  public static List<String> javaOptions() {
    return JAVA_OPTIONS;
  }

  /** The server's {@code sc://} address. */
  public String remote() {
    return "sc://127.0.0.1:" + port;
  }

  /** Stops the server, forcibly after 20 seconds. */
  @Override
  public void close() {
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

  private void awaitListening(Path log) {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Spark Connect server exited with "
                + process.exitValue()
                + "; see "
                + log.toAbsolutePath());
      }
      if (Instant.now().isAfter(deadline)) {
        close();
        throw new IllegalStateException(
            "The Spark Connect server did not listen on port "
                + port
                + " within "
                + START_TIMEOUT.toMinutes()
                + " minutes; see "
                + log.toAbsolutePath());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("Interrupted while the Spark Connect server started", e);
      }
    }
  }

  /** Spark's settings: local, on the loopback address only, no UI. */
  private static Map<String, String> conf(int port, Path work, int cores) {
    Map<String, String> conf = new TreeMap<>();
    conf.put("spark.master", "local[" + cores + "]");
    conf.put("spark.app.name", "sluice-local");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.connect.grpc.binding.address", "127.0.0.1");
    conf.put("spark.connect.grpc.binding.port", Integer.toString(port));
    conf.put("spark.sql.shuffle.partitions", Integer.toString(cores));
    conf.put("spark.default.parallelism", Integer.toString(cores));
    conf.put(
        "spark.sql.warehouse.dir", work.resolve("spark-warehouse").toAbsolutePath().toString());
    conf.put(
        "spark.sql.extensions",
        "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    // S3A (a warehouse in object storage): a store that does not answer fails a statement within
    // seconds, not after S3A's default minutes of retries; the step's own retries then apply
    conf.put("spark.hadoop.fs.s3a.attempts.maximum", "1");
    conf.put("spark.hadoop.fs.s3a.retry.limit", "1");
    conf.put("spark.hadoop.fs.s3a.retry.interval", "100ms");
    conf.put("spark.hadoop.fs.s3a.connection.establish.timeout", "2s");
    conf.put("spark.hadoop.fs.s3a.connection.timeout", "10s");
    // s3proxy (the tests' store) implements no checksum but MD5 on bulk deletes, which the AWS SDK
    // 2.30+ sends with a CRC: S3A deletes one object at a time and keeps directory markers
    conf.put("spark.hadoop.fs.s3a.multiobjectdelete.enable", "false");
    conf.put("spark.hadoop.fs.s3a.directory.marker.retention", "keep");
    return conf;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
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
}
