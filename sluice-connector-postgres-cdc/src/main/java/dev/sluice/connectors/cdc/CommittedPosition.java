package dev.sluice.connectors.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
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
 * @param confirmable the WAL position the slot may be confirmed to: the offset's {@code
 *     lsn_commit}, the commit of the last transaction read whole (what Debezium itself flushes to
 *     the slot), and never further (see {@link #restartLimit})
 * @param committedAt when the load that committed this position ran, or null when not known (a
 *     position read from the stream, or committed before the time was recorded)
 */
record CommittedPosition(
    String slot, String offset, LogSequenceNumber confirmable, Instant committedAt) {
  static final String SLOT = "slot";
  static final String OFFSET = "debezium.offset";
  static final String CONFIRMABLE = "confirmable.lsn";
  static final String COMMITTED_AT = "committed.at";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The position in a committed state, or null when it has none for {@code slot}. The position to
   * confirm is taken from the committed offset itself (see {@link #restartLimit}), not from the
   * state's {@value #CONFIRMABLE}, which only shows it: a state can never make the slot pass the
   * point Debezium resumes from.
   */
  static CommittedPosition of(Map<String, String> state, String slot) {
    if (!slot.equals(state.get(SLOT)) || state.get(OFFSET) == null) {
      return null;
    }
    String committedAt = state.get(COMMITTED_AT);
    CommittedPosition position = new CommittedPosition(slot, state.get(OFFSET), null, null);
    return new CommittedPosition(
        slot,
        position.offset(),
        restartLimit(position.offsetMap()),
        committedAt == null ? null : Instant.parse(committedAt));
  }

  /** The position after the change (or marker) whose record has {@code offset}. */
  static CommittedPosition after(String slot, Map<String, ?> offset) {
    try {
      return new CommittedPosition(
          slot, JSON.writeValueAsString(new TreeMap<>(offset)), restartLimit(offset), null);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the offset of a change record", e);
    }
  }

  /**
   * How far the slot may be confirmed for a restart from {@code offset}: its {@code lsn_commit}
   * (else {@code lsn_proc}, else {@code lsn}), or null when it has none.
   *
   * <p>Debezium resumes from an offset by streaming from its {@code lsn_proc} and skipping what it
   * already saw, and before it starts it refuses an offset whose {@code lsn_commit} (else {@code
   * lsn_proc}) lies before the slot's {@code restart_lsn} ("trying to read change stream starting
   * at ... no longer available on the server"). PostgreSQL keeps {@code restart_lsn} at or before
   * the confirmed position, so confirming up to {@code lsn_commit} and no further keeps the offset
   * valid, whatever the server logs meanwhile. Confirming further, e.g. to the LSN of the load's
   * marker message, lets {@code restart_lsn} overtake {@code lsn_commit} as soon as the server logs
   * its running transactions in between. The transaction the offset lies in (if any) commits after
   * {@code lsn_commit}, so the server still sends all of it.
   */
  static LogSequenceNumber restartLimit(Map<String, ?> offset) {
    Object position = offset.get("lsn_commit");
    if (position == null) {
      position = offset.get("lsn_proc");
    }
    if (position == null) {
      position = offset.get("lsn");
    }
    return position instanceof Number number ? LogSequenceNumber.valueOf(number.longValue()) : null;
  }

  /** Debezium's offset as a map. */
  Map<String, Object> offsetMap() {
    try {
      return JSON.readValue(offset, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Unreadable committed offset: " + e.getMessage(), e);
    }
  }

  /**
   * Whether this position lies past {@code other} (a position of the same slot, or null): whether
   * committing it would let the slot release more WAL.
   */
  boolean isPast(CommittedPosition other) {
    if (confirmable == null) {
      return false;
    }
    return other == null
        || other.confirmable() == null
        || confirmable.compareTo(other.confirmable()) > 0;
  }

  /** The state to commit with the data of a load that ran at {@code now}. */
  Map<String, String> toState(Instant now) {
    Map<String, String> state = new TreeMap<>();
    state.put(SLOT, slot);
    state.put(OFFSET, offset);
    if (confirmable != null) {
      state.put(CONFIRMABLE, confirmable.asString());
    }
    state.put(COMMITTED_AT, now.toString());
    return state;
  }
}
