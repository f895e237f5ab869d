package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.EngineSession;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timing wrapper of a step's session passes every call on: a default method of {@link
 * EngineSession} it did not override would answer the interface's default for every engine (Spark's
 * MERGE INTO was lost so once: {@code mergesIntoLakeTables()} answered false).
 */
class TimedEngineSessionTest {
  @Test
  void overridesEveryMethodOfTheEngineSession() {
    List<String> missing = new ArrayList<>();
    for (Method method : EngineSession.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      boolean overridden =
          java.util.Arrays.stream(TimedEngineSession.class.getDeclaredMethods())
              .anyMatch(
                  own ->
                      own.getName().equals(method.getName())
                          && java.util.Arrays.equals(
                              own.getParameterTypes(), method.getParameterTypes()));
      if (!overridden) {
        missing.add(method.toString());
      }
    }
    assertThat(missing).as("methods TimedEngineSession leaves to the interface").isEmpty();
  }
}
