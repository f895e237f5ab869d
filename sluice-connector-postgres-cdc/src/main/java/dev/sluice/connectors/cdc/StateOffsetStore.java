package dev.sluice.connectors.cdc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * Debezium's offset store, seeded from the connector state Sluice committed with the table's data
 * (the property {@value #COMMITTED_OFFSET}: the offset as JSON). No file or topic holds offsets:
 * the Iceberg snapshot is the only record of how far a table has read, so a load that fails before
 * its commit starts again from the last committed position.
 *
 * <p>Offsets the engine stores while it runs stay in memory and are dropped with it; the position a
 * load commits is the offset of the last change it applied, taken from that change's record.
 */
public final class StateOffsetStore implements OffsetBackingStore {
  /** The engine property holding the committed offset as JSON, absent before the first load. */
  static final String COMMITTED_OFFSET = "sluice.committed.offset";

  private final Map<ByteBuffer, ByteBuffer> written = new ConcurrentHashMap<>();
  private byte[] committed;

  @Override
  public void configure(WorkerConfig config) {
    Object offset = config.originals().get(COMMITTED_OFFSET);
    committed = offset == null ? null : offset.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void start() {}

  @Override
  public void stop() {}

  /**
   * The offsets of the given partitions: those written during this run, else the committed one (one
   * source table has one partition, so the committed offset is the offset of any).
   */
  @Override
  public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
    Map<ByteBuffer, ByteBuffer> offsets = new HashMap<>();
    for (ByteBuffer key : keys) {
      ByteBuffer value = written.get(key);
      if (value == null && committed != null) {
        // a fresh buffer each time: the reader takes its backing array
        value = ByteBuffer.wrap(committed.clone());
      }
      if (value != null) {
        offsets.put(key, value);
      }
    }
    return CompletableFuture.completedFuture(offsets);
  }

  @Override
  public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
    values.forEach(
        (key, value) -> {
          if (value == null) {
            written.remove(key);
          } else {
            written.put(key, value);
          }
        });
    if (callback != null) {
      callback.onCompletion(null, null);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    return Set.of();
  }
}
