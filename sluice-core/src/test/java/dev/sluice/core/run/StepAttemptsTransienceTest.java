package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TransientException;
import dev.sluice.api.TransientQueryException;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a step retries a failure is decided by the failure's type, never by its message. */
class StepAttemptsTransienceTest {
  @TempDir Path directory;

  @Test
  void theEnginesTypedFailuresDecide() {
    try (Engine engine =
            Engines.find(Engines.DEFAULT).orElseThrow().start(new EngineSettings(directory, null));
        EngineSession session = engine.openSession()) {
      String missing = directory.resolve("late.csv").toString();
      Throwable io =
          catchThrowable(() -> session.query("SELECT * FROM read_csv('" + missing + "')", 1));
      assertThat(io).isInstanceOf(TransientQueryException.class);
      assertThat(StepAttempts.isTransient(io)).isTrue();

      Throwable wrong = catchThrowable(() -> session.query("SELECT * FROM no_such_table", 1));
      assertThat(wrong).isInstanceOf(QueryException.class);
      assertThat(StepAttempts.isTransient(wrong)).isFalse();

      session.cancel();
      Throwable cancelled = catchThrowable(() -> session.query("SELECT 1", 1));
      assertThat(cancelled).isInstanceOf(QueryCancelledException.class);
      assertThat(StepAttempts.isTransient(cancelled)).isFalse();
    }
  }

  @Test
  void anIoExceptionThatIsNotTransientIsNotRetried() {
    // writing a file where a directory is: retrying cannot help
    IOException io =
        catchThrowableOfType(IOException.class, () -> Files.writeString(directory, "x"));
    assertThat(StepAttempts.isTransient(io)).isFalse();
    assertThat(StepAttempts.isTransient(new UncheckedIOException(io))).isFalse();
    assertThat(StepAttempts.isTransient(new TransientException("storage did not answer", io)))
        .isTrue();
  }

  @Test
  void aMessageThatReadsTransientDecidesNothing() {
    assertThat(StepAttempts.isTransient(new QueryException("IO Error: database is locked", null)))
        .isFalse();
    assertThat(
            StepAttempts.isTransient(new IllegalStateException("[SQLITE_BUSY] database is locked")))
        .isFalse();
  }
}
