package dev.sluice.engine.duckdb;

import dev.sluice.api.engine.EngineProvider;
import dev.sluice.engine.testkit.EngineContractTest;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The embedded DuckDB engine keeps the engine contract. */
class DuckDbEngineContractTest extends EngineContractTest {
  @Override
  protected EngineProvider provider() {
    return new DuckDbEngineProvider();
  }

  @Override
  protected String longRunningQuery() {
    // about 10^12 row pairs: hours of work, cancelled within milliseconds
    return "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range < 0";
  }

  /** DuckDB has one BLOB type: a fixed-length binary reads as binary. */
  @Override
  protected Type describedAs(Type written) {
    return written.typeId() == Type.TypeID.FIXED ? Types.BinaryType.get() : written;
  }
}
