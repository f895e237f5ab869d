package dev.sluice.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TransientQueryException;
import dev.sluice.api.engine.EngineSession;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's errors leave the engine typed: callers never read DuckDB's messages to decide. */
class DuckDbErrorsTest {
  @TempDir Path directory;
  private DuckDbEngine engine;
  private EngineSession session;

  @BeforeEach
  void start() {
    engine = DuckDbEngine.start(directory, "1GB");
    session = engine.openSession();
  }

  @AfterEach
  void stop() {
    session.close();
    engine.close();
  }

  @Test
  void aFileThatCannotBeReadIsTransient() {
    String missing = directory.resolve("not-there-yet.csv").toString();
    assertThatThrownBy(() -> session.query("SELECT * FROM read_csv('" + missing + "')", 1))
        .isInstanceOf(TransientQueryException.class)
        .hasMessageContaining("IO Error")
        .hasMessageContaining("not-there-yet.csv");
  }

  @Test
  void aFileThatCannotBeWrittenIsTransient() {
    String directoryAsFile = directory.toString();
    assertThatThrownBy(
            () -> session.execute("COPY (SELECT 1 AS x) TO '" + directoryAsFile + "' (FORMAT csv)"))
        .isInstanceOf(TransientQueryException.class);
  }

  @Test
  void aWrongQueryIsAPlainQueryException() {
    assertThatThrownBy(() -> session.query("SELECT no_such_column FROM range(1)", 1))
        .isExactlyInstanceOf(QueryException.class)
        .hasMessageContaining("no_such_column");
    assertThatThrownBy(() -> session.execute("SELEC 1")).isExactlyInstanceOf(QueryException.class);
    assertThatThrownBy(() -> session.query("SELECT CAST('x' AS INTEGER)", 1))
        .isExactlyInstanceOf(QueryException.class);
  }

  @Test
  void aCancelledSessionFailsWithQueryCancelledException() {
    session.cancel();
    assertThatThrownBy(() -> session.query("SELECT 1", 1))
        .isInstanceOf(QueryCancelledException.class)
        .hasMessageStartingWith("cancelled: ");
  }
}
