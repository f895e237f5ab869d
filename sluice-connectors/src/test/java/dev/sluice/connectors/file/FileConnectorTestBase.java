package dev.sluice.connectors.file;

import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real DuckDB engine, a session per test and a project directory to write files into. */
abstract class FileConnectorTestBase {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  @TempDir Path project;
  EngineSession session;
  final FileConnector connector = new FileConnector();

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-connector-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "2GB");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void openSession() {
    session = engine.openSession();
  }

  @AfterEach
  void closeSession() {
    session.close();
  }

  /** Writes a project file (UTF-8) and returns its path. */
  Path write(String relativePath, String content) {
    return writeBytes(relativePath, content.getBytes(StandardCharsets.UTF_8));
  }

  Path writeBytes(String relativePath, byte[] content) {
    Path path = project.resolve(relativePath);
    try {
      Files.createDirectories(path.getParent());
      Files.write(path, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path;
  }

  /** A spec builder with defaults: source shop, table orders, full mode, fail on error. */
  Spec spec(String path, String format) {
    return new Spec(path, format);
  }

  StagedData stage(Spec spec) {
    return connector.stage(spec.build(project), LoadState.empty(), session).materialized(session);
  }

  StagedData stage(Spec spec, LoadState state) {
    return connector.stage(spec.build(project), state, session).materialized(session);
  }

  /** All rows of a relation, ordered by the given SQL. */
  List<List<Object>> rows(String relation, String orderBy) {
    return session
        .query(
            "SELECT * FROM " + Identifiers.quote(relation) + " ORDER BY " + orderBy,
            Integer.MAX_VALUE)
        .rows();
  }

  /** Column names and DuckDB types of a relation, as "name TYPE". */
  List<String> columns(String relation) {
    List<String> columns = new ArrayList<>();
    for (List<Object> row :
        session.query("DESCRIBE " + Identifiers.quote(relation), Integer.MAX_VALUE).rows()) {
      columns.add(row.get(0) + " " + row.get(1));
    }
    return columns;
  }

  /** The rejected records as "file:line reason". */
  List<String> rejected(StagedData staged) {
    List<String> records = new ArrayList<>();
    for (List<Object> row : rows(staged.rejectedRelation(), "_source_file, _line")) {
      records.add(row.get(0) + ":" + row.get(1) + " " + row.get(3));
    }
    return records;
  }

  /** A mutable description of a source table for tests. */
  static final class Spec {
    private final String path;
    private final String format;
    private boolean append;
    private boolean quarantine;
    private Map<String, String> options = Map.of();
    private List<SourceTableSpec.Column> columns = List.of();

    Spec(String path, String format) {
      this.path = path;
      this.format = format;
    }

    Spec append() {
      this.append = true;
      return this;
    }

    Spec quarantine() {
      this.quarantine = true;
      return this;
    }

    Spec options(Map<String, String> options) {
      this.options = options;
      return this;
    }

    Spec columns(SourceTableSpec.Column... columns) {
      this.columns = List.of(columns);
      return this;
    }

    SourceTableSpec build(Path project) {
      return new SourceTableSpec(
          "shop",
          "orders",
          project,
          append,
          quarantine,
          FileOptions.with(path, format, options),
          columns);
    }
  }
}
