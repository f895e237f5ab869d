package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged table, a moved or copied project, a lost catalog, orphans: the CLI in-process on real
 * projects, with the warehouse's files damaged or moved as an operator would.
 */
class WarehouseRecoveryCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  record Result(int code, String out, String err) {}

  private static Result sluice(Path project, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withProject = new String[args.length + 2];
    withProject[0] = "-p";
    withProject[1] = project.toString();
    System.arraycopy(args, 0, withProject, 2, args.length);
    int code = SluiceCommand.execute(withProject, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code sluice init NAME} and a first run, with a view model beside the example's table. */
  private Path builtProject(String name) throws IOException {
    int init =
        SluiceCommand.execute(
            new String[] {"-p", directory.toString(), "init", name},
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()));
    assertThat(init).isZero();
    Path project = directory.resolve(name);
    Files.writeString(
        project.resolve("models/curated/example_names.sql"),
        "{{ config(materialized='view') }}\nselect name from {{ ref('example_clean') }}\n");
    Result run = sluice(project, "run");
    assertThat(run.code()).as(run.err()).isZero();
    return project;
  }

  private static String metadataLocation(Path project, String table) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + project.resolve(".sluice/catalog.db"));
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select metadata_location from iceberg_tables where table_name = '"
                    + table
                    + "'")) {
      assertThat(rows.next()).isTrue();
      return rows.getString(1);
    }
  }

  private static long count(Path project, String table) throws IOException {
    Result query = sluice(project, "query", "select count(*) as n from " + table, "--json");
    assertThat(query.code()).as(query.err()).isZero();
    return JSON.readTree(query.out()).get(0).get("n").asLong();
  }

  @Test
  void aDamagedTableIsReportedTheOthersWorkAndRepairRollsItBack() throws Exception {
    Path project = builtProject("shop");
    // a table's first build creates it with its data in one commit: build it again so that it
    // has an earlier metadata file to roll back to
    Result rebuilt = sluice(project, "run", "--full-refresh");
    assertThat(rebuilt.code()).as(rebuilt.err()).isZero();
    Path current = Path.of(metadataLocation(project, "example_clean"));
    byte[] content = Files.readAllBytes(current);

    Files.delete(current);
    Result tables = sluice(project, "tables", "--json");
    assertThat(tables.code()).as(tables.err()).isEqualTo(ExitCodes.RUN_FAILED);
    JsonNode rows = JSON.readTree(tables.out());
    assertThat(rows.findValuesAsText("table")).contains("raw.example_example");
    assertThat(rows.get(0).get("kind").asText()).isEqualTo("table");
    assertThat(rows.get(0).get("rows").asLong()).isEqualTo(3);
    assertThat(tables.err())
        .contains("curated.example_clean is damaged")
        .contains(current.toString())
        .contains("is missing")
        .contains("sluice repair curated.example_clean")
        .doesNotContain("Exception");
    assertThat(count(project, "raw.example_example")).isEqualTo(3);
    Result queryDamaged = sluice(project, "query", "select * from curated.example_clean");
    assertThat(queryDamaged.code()).isNotEqualTo(ExitCodes.INTERNAL);
    assertThat(queryDamaged.err()).contains("is damaged");
    Result run = sluice(project, "run");
    assertThat(run.code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(run.err()).contains("ok   example.example").contains("is damaged");

    // truncated: fails at once instead of after Iceberg's retries (92 s)
    Files.write(current, java.util.Arrays.copyOf(content, content.length / 2));
    long started = System.nanoTime();
    Result truncated = sluice(project, "tables");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    assertThat(truncated.code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(truncated.out()).contains("raw.example_example").contains("damaged");
    assertThat(truncated.err()).contains("is not valid JSON");

    Result repair = sluice(project, "repair", "curated.example_clean");
    assertThat(repair.code()).as(repair.err()).isZero();
    assertThat(sluice(project, "tables").code()).isZero();
    Result again = sluice(project, "repair", "curated.example_clean");
    assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("is not damaged");
    assertThat(sluice(project, "run").code()).isZero();
    assertThat(count(project, "curated.example_clean")).isEqualTo(3);
  }

  @Test
  void aCopiedProjectRefusesUntilRelocatedAndThenNeverWritesIntoTheOriginal() throws Exception {
    Path original = builtProject("shop");
    Path copy = directory.resolve("copy");
    copyTree(original, copy);
    Map<String, Long> originalFiles = files(original.resolve("warehouse"));

    Result refused = sluice(copy, "run");
    assertThat(refused.code()).isNotEqualTo(ExitCodes.INTERNAL).isNotZero();
    assertThat(refused.err())
        .contains("outside this project's warehouse " + copy.resolve("warehouse"))
        .contains("sluice relocate");
    assertThat(sluice(copy, "tables").err()).contains("sluice relocate");
    assertThat(files(original.resolve("warehouse"))).isEqualTo(originalFiles);

    Result relocate = sluice(copy, "relocate");
    assertThat(relocate.code()).as(relocate.err()).isZero();
    assertThat(relocate.err()).contains("Relocated 2 tables and 1 view");
    assertThat(metadataLocation(copy, "example_clean")).startsWith(copy.toString());
    assertThat(metadataLocation(copy, "example_names")).startsWith(copy.toString());
    Result run = sluice(copy, "run");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(count(copy, "curated.example_clean")).isEqualTo(3);
    assertThat(count(copy, "curated.example_names")).isEqualTo(3);
    Result history =
        sluice(
            copy,
            "query",
            "select count(*) as n from curated.example_clean",
            "--as-of",
            snapshotOf(original, "curated.example_clean"));
    assertThat(history.code()).as(history.err()).isZero();
    assertThat(files(original.resolve("warehouse"))).isEqualTo(originalFiles);
    assertThat(sluice(copy, "relocate").err()).contains("Nothing to relocate");

    // the original still works on its own files
    assertThat(sluice(original, "run").code()).isZero();
    assertThat(count(original, "curated.example_clean")).isEqualTo(3);
  }

  @Test
  void aMovedProjectRefusesUntilRelocated() throws Exception {
    Path original = builtProject("shop");
    Path moved = directory.resolve("moved");
    Files.move(original, moved);

    Result refused = sluice(moved, "query", "select count(*) from curated.example_clean");
    assertThat(refused.code()).isNotEqualTo(ExitCodes.INTERNAL).isNotZero();
    assertThat(refused.err()).contains("sluice relocate");

    Result relocate = sluice(moved, "relocate");
    assertThat(relocate.code()).as(relocate.err()).isZero();
    assertThat(count(moved, "curated.example_clean")).isEqualTo(3);
    Result run = sluice(moved, "run");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(count(moved, "curated.example_names")).isEqualTo(3);
    assertThat(original).doesNotExist();
  }

  @Test
  void tablesMarksOrphansAndDropRemovesThem() throws Exception {
    Path project = builtProject("shop");
    Path tableDirectory = project.resolve("warehouse/raw/example_example");
    assertThat(tableDirectory).exists();

    Result defined = sluice(project, "drop", "raw.example_example");
    assertThat(defined.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(defined.err()).contains("--force");

    Files.delete(project.resolve("models/curated/example_names.sql"));
    Result tables = sluice(project, "tables");
    assertThat(tables.code()).as(tables.err()).isZero();
    assertThat(tables.out()).containsPattern("curated.example_names +view, orphan");
    assertThat(tables.out()).doesNotContainPattern("example_clean +table, orphan");
    assertThat(tables.err()).contains("sluice drop curated.example_names");
    JsonNode rows = JSON.readTree(sluice(project, "tables", "--json").out());
    for (JsonNode row : rows) {
      assertThat(row.get("orphan").asBoolean())
          .as(row.toString())
          .isEqualTo(row.get("table").asText().equals("curated.example_names"));
    }
    assertThat(sluice(project, "drop", "curated.example_names").code()).isZero();
    assertThat(sluice(project, "tables", "--json").out()).doesNotContain("example_names");

    Result forced = sluice(project, "drop", "raw.example_example", "--force");
    assertThat(forced.code()).as(forced.err()).isZero();
    assertThat(files(tableDirectory)).isEmpty();
    assertThat(sluice(project, "drop", "raw.nothing").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void readsWorkWithoutTheStateDatabaseAndALostCatalogIsRefused() throws Exception {
    Path project = builtProject("shop");
    Path state = project.resolve(".sluice/state.db");
    deleteSqliteSidecars(state);
    Files.writeString(state, "this is not a database\n".repeat(200));
    assertThat(count(project, "curated.example_clean")).isEqualTo(3);
    assertThat(sluice(project, "tables").code()).isZero();
    Result runs = sluice(project, "runs");
    assertThat(runs.code()).isNotZero().isNotEqualTo(ExitCodes.INTERNAL);

    Path catalog = project.resolve(".sluice/catalog.db");
    deleteSqliteSidecars(catalog);
    Files.write(catalog, new byte[0]);
    for (String[] command :
        List.of(
            new String[] {"tables"}, new String[] {"run"}, new String[] {"query", "select 1"})) {
      Result refused = sluice(project, command);
      assertThat(refused.code()).as(refused.err()).isNotZero().isNotEqualTo(ExitCodes.INTERNAL);
      assertThat(refused.err())
          .contains(catalog.toString() + " is empty (0 bytes)")
          .contains("the warehouse " + project.resolve("warehouse") + " holds tables");
    }
    assertThat(Files.size(catalog)).isZero();
    Files.delete(catalog);
    assertThat(sluice(project, "tables").err()).contains(catalog + " is missing");
    assertThat(catalog).doesNotExist();
  }

  private static void deleteSqliteSidecars(Path database) throws IOException {
    Files.deleteIfExists(Path.of(database + "-wal"));
    Files.deleteIfExists(Path.of(database + "-shm"));
  }

  private static String snapshotOf(Path project, String table) throws IOException {
    for (JsonNode row : JSON.readTree(sluice(project, "tables", "--json").out())) {
      if (row.get("table").asText().equals(table)) {
        return row.get("snapshotId").asText();
      }
    }
    throw new AssertionError("no table " + table);
  }

  /** Every regular file under a directory with its size and modification time. */
  private static Map<String, Long> files(Path root) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.exists(root)) {
      return files;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(
            root.relativize(path) + "@" + Files.size(path),
            Files.getLastModifiedTime(path).toMillis());
      }
    }
    return files;
  }

  /** As {@code cp -a}: the tree with its files' times. */
  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(from)) {
      walk.forEach(paths::add);
    }
    for (Path path : paths) {
      Path target = to.resolve(from.relativize(path).toString());
      if (Files.isDirectory(path)) {
        Files.createDirectories(target);
      } else {
        Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
