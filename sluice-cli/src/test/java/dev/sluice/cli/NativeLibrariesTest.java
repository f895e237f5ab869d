package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code sluice} processes, one killed: the system temporary directory gets no file, SQLite's
 * library is extracted once and reused, DuckDB's is loaded from beside its jar in the command's
 * {@code lib/} directory (laid out by the build) and never unpacked, and a killed process's
 * temporary directory is deleted by the next process.
 */
class NativeLibrariesTest {
  @TempDir Path directory;

  /**
   * The command's {@code lib/} directory as the build lays it out: DuckDB's driver jar without its
   * libraries, and the libraries beside it.
   */
  private static final Path COMMAND_LIBRARIES = Path.of("target", "lib").toAbsolutePath();

  /**
   * The test's class path with DuckDB's driver taken from the command's {@code lib/} directory, as
   * {@code sluice.jar}'s manifest takes it, instead of the local Maven repository's jar (which
   * holds the libraries).
   */
  private static String commandClassPath() {
    List<String> entries = new ArrayList<>();
    boolean replaced = false;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Path.of(entry).getFileName();
      if (jar != null && jar.toString().startsWith("duckdb_jdbc-")) {
        Path command = COMMAND_LIBRARIES.resolve(jar.toString());
        assertThat(command).as("the build lays out DuckDB's driver in lib/").isRegularFile();
        entries.add(command.toString());
        replaced = true;
      } else {
        entries.add(entry);
      }
    }
    assertThat(replaced).as("DuckDB's driver is on the test's class path").isTrue();
    return String.join(File.pathSeparator, entries);
  }

  /**
   * A {@code sluice} process started as the launcher starts it: a shell makes {@code CACHE/tmp/PID}
   * and execs Java with it as {@code java.io.tmpdir}.
   */
  private Process sluice(Path cache, Path project, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add("-c");
    command.add(
        "mkdir -p \"$CACHE/tmp/$$\" && exec \"$JAVA\" -Djava.io.tmpdir=\"$CACHE/tmp/$$\""
            + " -Xlog:library=info:file=\"$LIBRARY_LOG\""
            + " -D"
            + NativeLibraries.CACHE_PROPERTY
            + "=\"$CACHE\" -cp \"$CLASSPATH_\" "
            + SluiceCommand.class.getName()
            + " \"$@\"");
    command.add("sluice");
    command.add("-p");
    command.add(project.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(directory.resolve("child-" + System.nanoTime() + ".err").toFile());
    builder.environment().put("CACHE", cache.toString());
    builder
        .environment()
        .put(
            "LIBRARY_LOG", directory.resolve("libraries-" + System.nanoTime() + ".log").toString());
    builder
        .environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.environment().put("CLASSPATH_", commandClassPath());
    return builder.start();
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).toList();
    }
  }

  private String childErrors() throws IOException {
    StringBuilder errors = new StringBuilder();
    for (Path file : filesUnder(directory)) {
      if (file.getFileName().toString().endsWith(".err")) {
        errors.append(Files.readString(file));
      }
    }
    return errors.toString();
  }

  private static List<Path> duckDbLibraries(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    return filesUnder(directory).stream()
        .filter(file -> file.getFileName().toString().startsWith("libduckdb"))
        .toList();
  }

  /**
   * The native libraries the {@code sluice} processes of this test loaded (the JVM's {@code
   * -Xlog:library} lines), the JDK's own left out.
   */
  private List<Path> librariesLoaded() throws IOException {
    String jdk = Path.of(System.getProperty("java.home")).toRealPath().toString();
    List<Path> loaded = new ArrayList<>();
    for (Path log : filesUnder(directory)) {
      if (!log.getFileName().toString().startsWith("libraries-")) {
        continue;
      }
      for (String line : Files.readAllLines(log)) {
        int at = line.indexOf("Loaded library /");
        if (at >= 0) {
          String file = line.substring(at + "Loaded library ".length()).split(", handle")[0];
          if (!file.startsWith(jdk) && !file.startsWith(System.getProperty("java.home"))) {
            loaded.add(Path.of(file));
          }
        }
      }
    }
    return loaded;
  }

  /** The DuckDB library files the running process has mapped (Linux's {@code /proc/PID/maps}). */
  private static List<Path> loadedDuckDbLibraries(Process process) throws IOException {
    Path maps = Path.of("/proc", Long.toString(process.pid()), "maps");
    if (!Files.isReadable(maps)) {
      return List.of();
    }
    List<Path> loaded = new ArrayList<>();
    for (String line : Files.readAllLines(maps)) {
      int start = line.indexOf('/');
      if (start >= 0 && line.contains("libduckdb")) {
        Path file = Path.of(line.substring(start).trim());
        if (!loaded.contains(file)) {
          loaded.add(file);
        }
      }
    }
    return loaded;
  }

  @Test
  void librariesAreExtractedOnceAndAKilledProcessLeavesNothingBehind() throws Exception {
    Path cache = directory.resolve("cache");
    Path project = Files.createDirectories(directory.resolve("shop"));
    Files.writeString(project.resolve("sluice.yaml"), "name: shop\n");

    // a long query, killed once DuckDB's library is loaded
    Process killed =
        sluice(
            cache,
            project,
            "query",
            "select count(*) from range(100000000000) a where a.range % 7 = 3");
    Path killedTemp = cache.resolve("tmp").resolve(Long.toString(killed.pid()));
    List<Path> loaded;
    try {
      loaded =
          await("DuckDB's library loaded by the running query")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> {
                    assertThat(killed.isAlive())
                        .as("the query is still running; it said: %s", childErrors())
                        .isTrue();
                    return loadedDuckDbLibraries(killed);
                  },
                  libraries -> !libraries.isEmpty());
    } catch (RuntimeException | AssertionError e) {
      killed.destroyForcibly();
      throw e;
    }
    Path shipped = COMMAND_LIBRARIES.resolve(loaded.get(0).getFileName().toString());
    assertThat(loaded).containsExactly(shipped);
    assertThat(duckDbLibraries(cache)).as("nothing unpacked").isEmpty();
    killed.destroyForcibly();
    assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<Path> sqlite =
        filesUnder(cache.resolve("native")).stream()
            .filter(file -> file.getFileName().toString().contains("sqlitejdbc"))
            .toList();
    assertThat(sqlite).hasSize(1);
    assertThat(filesUnder(killedTemp))
        .noneMatch(file -> file.getFileName().toString().contains("sqlite"));
    Object extracted = Files.readAttributes(sqlite.get(0), BasicFileAttributes.class).fileKey();

    Process second = sluice(cache, project, "query", "select 1");
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(killedTemp).doesNotExist();
    assertThat(filesUnder(cache.resolve("native")))
        .filteredOn(file -> file.getFileName().toString().contains("sqlitejdbc"))
        .containsExactly(sqlite.get(0));
    assertThat(duckDbLibraries(cache)).as("nothing unpacked").isEmpty();
    assertThat(duckDbLibraries(directory)).isEmpty();
    assertThat(Files.readAttributes(sqlite.get(0), BasicFileAttributes.class).fileKey())
        .isEqualTo(extracted);
  }

  @Test
  void aRunLoadsEveryNativeLibraryFromTheCacheOrBesideItsJarNeverFromTheTemporaryDirectory()
      throws Exception {
    Path cache = directory.resolve("cache");
    Path project = Files.createDirectories(directory.resolve("shop"));
    Files.writeString(project.resolve("sluice.yaml"), "name: shop\n");
    Files.createDirectories(project.resolve("sources"));
    Files.writeString(
        project.resolve("sources/shop.yaml"),
        "connector: file\ntables:\n  - name: orders\n    path: data/*.csv\n    mode: full\n");
    Files.createDirectories(project.resolve("data"));
    Files.writeString(project.resolve("data/orders.csv"), "id,amount\n1,10\n2,20\n");

    // two runs: each writes a table (which loads Snappy's library for Iceberg's files)
    for (int run = 0; run < 2; run++) {
      Process process = sluice(cache, project, "run", "--full-refresh");
      assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(childErrors()).isZero();
    }
    List<Path> loaded = librariesLoaded();
    assertThat(loaded)
        .as("libraries loaded")
        .anyMatch(file -> file.getFileName().toString().contains("snappy"))
        .anyMatch(file -> file.getFileName().toString().contains("sqlite"))
        .anyMatch(file -> file.getFileName().toString().startsWith("libduckdb"))
        .allMatch(
            file -> file.startsWith(cache.resolve("native")) || file.startsWith(COMMAND_LIBRARIES),
            "in the cache's native directory or beside its jar in lib/");
    assertThat(
            filesUnder(cache.resolve("native")).stream()
                .filter(file -> file.getFileName().toString().contains("snappy")))
        .as("Snappy's library extracted once")
        .hasSize(1);
  }
}
