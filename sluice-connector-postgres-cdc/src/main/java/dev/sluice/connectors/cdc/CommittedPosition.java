package dev.sluice.connectors.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import org.postgresql.replication.LogSequenceNumber;

/**
 * How far a table has read its change stream, as committed with its data in {@link
 * dev.sluice.api.connector.StagedData#state()}: the slot read, Debezium's offset (JSON) and the
 * position the slot may be confirmed to once that commit is in the lake.
 *
 * @param slot the replication slot the position belongs to
 * @param offset Debezium's offset of the last change applied, as JSON
 * @param confirmable the WAL position up to which every change is in the lake: the commit of the
 *     last transaction read whole (what Debezium itself would flush to the slot)
 */
record CommittedPosition(String slot, String offset, LogSequenceNumber confirmable) {
  static final String SLOT = "slot";
  static final String OFFSET = "debezium.offset";
  static final String CONFIRMABLE = "confirmable.lsn";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The position in a committed state, or null when it has none for {@code slot}. */
  static CommittedPosition of(Map<String, String> state, String slot) {
    if (!slot.equals(state.get(SLOT)) || state.get(OFFSET) == null) {
      return null;
    }
    String confirmable = state.get(CONFIRMABLE);
    return new CommittedPosition(
        slot,
        state.get(OFFSET),
        confirmable == null ? null : LogSequenceNumber.valueOf(confirmable));
  }

  /** The position after the change whose record has {@code offset}. */
  static CommittedPosition after(String slot, Map<String, ?> offset) {
    Object position = offset.get("lsn_commit");
    if (position == null) {
      position = offset.get("lsn_proc");
    }
    if (position == null) {
      position = offset.get("lsn");
    }
    try {
      return new CommittedPosition(
          slot,
          JSON.writeValueAsString(new TreeMap<>(offset)),
          position == null ? null : LogSequenceNumber.valueOf(((Number) position).longValue()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the offset of a change record", e);
    }
  }

  /** Debezium's offset as a map. */
  Map<String, Object> offsetMap() {
    try {
      return JSON.readValue(offset, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Unreadable committed offset: " + e.getMessage(), e);
    }
  }

  /** The state to commit with the data. */
  Map<String, String> toState() {
    Map<String, String> state = new TreeMap<>();
    state.put(SLOT, slot);
    state.put(OFFSET, offset);
    if (confirmable != null) {
      state.put(CONFIRMABLE, confirmable.asString());
    }
    return state;
  }
}
