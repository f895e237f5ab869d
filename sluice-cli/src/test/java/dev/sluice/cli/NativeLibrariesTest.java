package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * library is extracted once and reused, and a killed process's DuckDB library is deleted by the
 * next process.
 */
class NativeLibrariesTest {
  @TempDir Path directory;

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
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.environment().put("CLASSPATH_", System.getProperty("java.class.path"));
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

  private static boolean hasDuckDbLibrary(Path directory) throws IOException {
    return Files.isDirectory(directory)
        && filesUnder(directory).stream()
            .anyMatch(file -> file.getFileName().toString().startsWith("libduckdb"));
  }

  @Test
  void librariesAreExtractedOnceAndAKilledProcessLeavesNothingBehind() throws Exception {
    Path cache = directory.resolve("cache");
    Path project = Files.createDirectories(directory.resolve("shop"));
    Files.writeString(project.resolve("sluice.yaml"), "name: shop\n");

    // a long query, killed once DuckDB's library is unpacked
    Process killed =
        sluice(
            cache,
            project,
            "query",
            "select count(*) from range(100000000000) a where a.range % 7 = 3");
    Path killedTemp = cache.resolve("tmp").resolve(Long.toString(killed.pid()));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!hasDuckDbLibrary(killedTemp)) {
      if (System.nanoTime() > deadline) {
        killed.destroyForcibly();
        throw new AssertionError(
            "DuckDB's library was not unpacked in "
                + killedTemp
                + " in time; files: "
                + filesUnder(directory)
                + "; the process said: "
                + childErrors());
      }
      assertThat(killed.isAlive()).as("the query is still running").isTrue();
      TimeUnit.MILLISECONDS.sleep(100);
    }
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
    assertThat(filesUnder(cache.resolve("native"))).containsExactly(sqlite.get(0));
    assertThat(Files.readAttributes(sqlite.get(0), BasicFileAttributes.class).fileKey())
        .isEqualTo(extracted);
  }
}
