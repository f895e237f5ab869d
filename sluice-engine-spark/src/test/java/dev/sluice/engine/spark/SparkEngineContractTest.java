package dev.sluice.engine.spark;

import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.engine.testkit.EngineContractTest;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The Spark engine keeps the engine contract against a real Spark Connect server. It has no bulk
 * row writer (sources load on DuckDB; docs/scale-out.md).
 */
class SparkEngineContractTest extends EngineContractTest {
  @Override
  protected EngineProvider provider() {
    return new SparkEngineProvider();
  }

  @Override
  protected EngineSettings settings() throws IOException {
    return new EngineSettings(
        Files.createDirectories(directory.resolve("spill")),
        null,
        SparkConnectTestServer.shared().options());
  }

  @Override
  protected String longRunningQuery() {
    // about 10^12 row pairs on local[2]: hours of work, cancelled within seconds
    return "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.id + b.id < 0";
  }

  @Override
  protected boolean supports(Ability ability) {
    return ability != Ability.ROW_WRITER;
  }
}
