package dev.sluice.connector.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SourceConnector} keeps, run against a real source and a real DuckDB
 * engine. A connector's tests subclass it and provide the connector and a {@link ConnectorFixture}:
 *
 * <pre>{@code
 * class PostgresConnectorContractTest extends ConnectorContractTest {
 *   protected SourceConnector connector() { return new PostgresConnector(); }
 *   protected ConnectorFixture newFixture() { return new PostgresFixture(SERVER); }
 * }
 * }</pre>
 *
 * <p>What it checks: a full read reads every row; an incremental read with the state of the last
 * load reads only rows added since, and nothing when nothing was added; discovery shows the columns
 * and types staging stages; a bad record is staged as rejected with a reason when the table
 * quarantines and fails the load with a {@link DataException} when it does not; options that cannot
 * work fail with an {@link InvalidInputException}; replaying a window twice stages the same rows
 * with a write that replaces them, never an append.
 */
public abstract class ConnectorContractTest {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  /** The engine session of the current test. */
  protected EngineSession session;

  /** The fixture of the current test. */
  protected ConnectorFixture fixture;

  /** The connector under test. */
  protected abstract SourceConnector connector();

  /** A new source holding no rows yet; called before each test. */
  protected abstract ConnectorFixture newFixture();

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-contract-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void open() {
    session = engine.openSession();
    fixture = newFixture();
  }

  @AfterEach
  void close() {
    try {
      fixture.close();
    } finally {
      session.close();
    }
  }

  @Test
  void fullReadStagesEveryRow() {
    fixture.addRows(1, 3);
    StagedData staged = stage(fixture.table(false, false), LoadState.empty());
    assertThat(staged.nothingNew()).isFalse();
    assertThat(staged.rows()).isEqualTo(3);
    assertThat(ids(staged)).containsExactly(1L, 2L, 3L);
    assertThat(names(staged)).containsExactly("name-1", "name-2", "name-3");
    assertThat(staged.rejectedRows()).isZero();
  }

  @Test
  void fullReadAgainStagesEveryRowAgain() {
    fixture.addRows(1, 2);
    StagedData first = stage(fixture.table(false, false), LoadState.empty());
    fixture.addRows(3, 3);
    StagedData second = stage(fixture.table(false, false), nextState(LoadState.empty(), first));
    assertThat(ids(second)).containsExactly(1L, 2L, 3L);
    assertThat(second.write() == null || second.write().kind() == StagedData.Write.Kind.REPLACE)
        .as("a full read replaces the table, got %s", second.write())
        .isTrue();
  }

  @Test
  void incrementalReadStagesOnlyRowsAddedSinceTheState() {
    fixture.addRows(1, 3);
    SourceTableSpec table = fixture.table(true, false);
    StagedData first = stage(table, LoadState.empty());
    assertThat(ids(first)).containsExactly(1L, 2L, 3L);
    fixture.addRows(4, 5);
    StagedData second = stage(table, nextState(LoadState.empty(), first));
    assertThat(ids(second)).containsExactly(4L, 5L);
    assertThat(second.write() == null || second.write().kind() != StagedData.Write.Kind.REPLACE)
        .as("an incremental read must not replace the table, got %s", second.write())
        .isTrue();
  }

  @Test
  void resumingFromTheStateReadsNothingWhenNothingIsNew() {
    fixture.addRows(1, 3);
    SourceTableSpec table = fixture.table(true, false);
    LoadState afterFirst = nextState(LoadState.empty(), stage(table, LoadState.empty()));
    StagedData second = stage(table, afterFirst);
    assertThat(second.nothingNew() || second.rows() == 0)
        .as("a load resumed from the state of the last one found %s rows", second.rows())
        .isTrue();
    LoadState afterSecond = nextState(afterFirst, second);
    fixture.addRows(4, 4);
    assertThat(ids(stage(table, afterSecond))).containsExactly(4L);
  }

  @Test
  void discoveryShowsTheColumnsAndTypesThatAreStaged() {
    fixture.addRows(1, 2);
    SourceTableSpec table = fixture.table(false, false);
    DiscoveredSchema discovered;
    try {
      discovered = connector().discover(table);
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, connector().type() + " cannot discover schemas");
      return;
    }
    StagedData staged = stage(table, LoadState.empty());
    Schema stagedSchema = session.describe("SELECT * FROM " + TableName.quote(staged.relation()));
    List<String> stagedColumns = new ArrayList<>();
    for (Types.NestedField field : stagedSchema.columns()) {
      if (!fixture.addedColumns().contains(field.name())) {
        stagedColumns.add(field.name() + " " + field.type());
      }
    }
    List<String> discoveredColumns = new ArrayList<>();
    for (Types.NestedField field : discovered.schema().columns()) {
      discoveredColumns.add(field.name() + " " + field.type());
    }
    assertThat(discoveredColumns).containsExactlyElementsOf(stagedColumns);
    assertThat(discovered.columnNames()).contains("id", "name");
    for (String column : discovered.cursorCandidates()) {
      assertThat(discovered.schema().findField(column)).as(column).isNotNull();
    }
  }

  @Test
  void badRecordIsQuarantinedWithAReasonWhenTheTableQuarantines() {
    assumeTrue(fixture.quarantines(), connector().type() + " does not quarantine records");
    fixture.addRows(1, 2);
    if (!addBadRecord()) {
      return;
    }
    StagedData staged = stage(fixture.table(false, true), LoadState.empty());
    assertThat(ids(staged)).containsExactly(1L, 2L);
    assertThat(staged.rejectedRows()).isEqualTo(1);
    assertThat(staged.rejectedRelation()).isNotNull();
    List<List<Object>> reasons =
        session
            .query("SELECT _reason FROM " + TableName.quote(staged.rejectedRelation()), 10)
            .rows();
    assertThat(reasons).hasSize(1);
    assertThat(String.valueOf(reasons.get(0).get(0))).isNotBlank();
  }

  @Test
  void badRecordFailsTheLoadWithAClearMessageWhenTheTableDoesNotQuarantine() {
    fixture.addRows(1, 2);
    if (!addBadRecord()) {
      return;
    }
    SourceTableSpec table = fixture.table(false, false);
    assertThatThrownBy(() -> stage(table, LoadState.empty()))
        .isInstanceOf(DataException.class)
        .message()
        .satisfiesAnyOf(
            message -> assertThat(message).contains(table.table()),
            message -> assertThat(message).containsIgnoringCase("line"),
            message -> assertThat(message).containsIgnoringCase("row"));
  }

  @Test
  void optionsThatCannotWorkAreRejectedBeforeReading() {
    fixture.addRows(1, 1);
    SourceTableSpec table = fixture.tableWithInvalidOptions();
    assertThatThrownBy(() -> stage(table, LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageFindingMatch("\\S");
  }

  @Test
  void replayingAWindowTwiceStagesTheSameRowsToReplaceThem() {
    assumeTrue(connector().supportsReplay(), connector().type() + " cannot replay");
    fixture.addRows(1, 3);
    ReplayWindow window = fixture.windowCoveringAllRows();
    assumeTrue(window != null, "the fixture has no replay window");
    SourceTableSpec table = fixture.table(true, false);
    LoadState loaded = nextState(LoadState.empty(), stage(table, LoadState.empty()));
    StagedData first = stage(table, loaded.withReplay(window));
    StagedData second = stage(table, loaded.withReplay(window));
    assertThat(ids(first)).containsExactly(1L, 2L, 3L);
    assertThat(ids(second)).containsExactly(1L, 2L, 3L);
    assertThat(first.write()).isNotNull();
    assertThat(first.write().kind())
        .as("a replay must replace what it read again, never append it")
        .isIn(StagedData.Write.Kind.MERGE, StagedData.Write.Kind.REPLACE);
    assertThat(nextState(loaded, first).state())
        .as("a replay does not move the state back")
        .isEqualTo(loaded.state());
  }

  /** Stages a table with the connector under test. */
  protected StagedData stage(SourceTableSpec table, LoadState state) {
    return connector().stage(table, state, session).materialized(session);
  }

  /** The state the runner would hand the next load after {@code staged} was committed. */
  protected static LoadState nextState(LoadState previous, StagedData staged) {
    if (staged.nothingNew()) {
      return new LoadState(previous.loadedFiles(), staged.state());
    }
    Map<String, String> files = new HashMap<>(previous.loadedFiles());
    for (SourceFile file : staged.files()) {
      files.put(file.path(), file.checksum());
    }
    return new LoadState(files, staged.state());
  }

  /** The staged ids, in order. */
  protected List<Long> ids(StagedData staged) {
    if (staged.nothingNew()) {
      return List.of();
    }
    List<Long> ids = new ArrayList<>();
    for (List<Object> row :
        session
            .query(
                "SELECT CAST(id AS BIGINT) FROM "
                    + TableName.quote(staged.relation())
                    + " ORDER BY id",
                100_000)
            .rows()) {
      ids.add(((Number) row.get(0)).longValue());
    }
    return ids;
  }

  private List<String> names(StagedData staged) {
    List<String> names = new ArrayList<>();
    for (List<Object> row :
        session
            .query(
                "SELECT name FROM " + TableName.quote(staged.relation()) + " ORDER BY id", 100_000)
            .rows()) {
      names.add(String.valueOf(row.get(0)));
    }
    return names;
  }

  private boolean addBadRecord() {
    try {
      fixture.addBadRecord();
      return true;
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "the source cannot hold a bad record: " + e.getMessage());
      return false;
    }
  }
}
