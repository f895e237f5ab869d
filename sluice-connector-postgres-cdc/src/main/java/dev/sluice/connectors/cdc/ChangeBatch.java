package dev.sluice.connectors.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.DataException;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.connectors.jdbc.PostgresTypes;
import io.debezium.connector.postgresql.PostgresConnector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load's read of the change stream: runs Debezium from the committed position (or a snapshot)
 * and writes every change of the table as a row of a temporary table, in stream order, until the
 * stream has caught up with the moment the load started, or {@code max_events} changes were read.
 *
 * <p>"Caught up" is seen, not guessed from a pause: the load writes a logical decoding message with
 * a token of its own into the WAL ({@code pg_logical_emit_message}), again every second until the
 * stream delivers one of them. Every change committed before a message was written comes before it
 * in the stream. A load never stops inside the snapshot.
 */
final class ChangeBatch {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeBatch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration MARKER_INTERVAL = Duration.ofSeconds(1);

  /**
   * What a load read.
   *
   * @param changes how many changes of the table it read (snapshot rows included)
   * @param snapshot whether it read a snapshot (the table is replaced)
   * @param lastTruncate the sequence number of the last truncate, or -1 for none
   * @param position the position after the last change read, or null when nothing was read
   */
  record Result(long changes, boolean snapshot, long lastTruncate, CommittedPosition position) {}

  private final CdcOptions options;
  private final String source;
  private final List<PostgresTypes.Column> columns;
  private final Map<String, Integer> columnIndex = new HashMap<>();
  private final List<String> keys;
  private final CommittedPosition committed;
  private final ReplicationSetup setup;
  private final String markerPrefix;
  private final String token = UUID.randomUUID().toString();

  private long sequence;
  private long changes;
  private long streamed;
  private long lastTruncate = -1;
  private boolean inSnapshot;
  private boolean snapshotRead;
  private boolean done;
  private CommittedPosition position;
  private String passwordToken;
  private final Clock clock;

  ChangeBatch(
      CdcOptions options,
      String source,
      List<PostgresTypes.Column> columns,
      List<String> keys,
      CommittedPosition committed,
      ReplicationSetup setup,
      Clock clock) {
    this.options = options;
    this.clock = clock;
    this.source = source;
    this.columns = List.copyOf(columns);
    for (int i = 0; i < columns.size(); i++) {
      columnIndex.put(columns.get(i).name(), i);
    }
    this.keys = List.copyOf(keys);
    this.committed = committed;
    this.setup = setup;
    this.markerPrefix = "sluice_" + options.slot();
    this.inSnapshot = committed == null;
    this.position = committed;
  }

  /** Reads the changes into the temporary table {@code raw}. */
  Result read(EngineSession session, String raw) throws SQLException {
    Instant deadline = clock.instant().plus(options.maxDuration());
    Instant nextMarker = clock.instant();
    passwordToken =
        options.password() == null ? null : RegisteredPassword.register(options.password());
    try (EngineSession.RowWriter writer = session.openRowWriter(raw, schema());
        ChangeStream stream =
            new ChangeStream(engineProperties(), "sluice-cdc-" + options.slot())) {
      while (!done) {
        if (!clock.instant().isBefore(nextMarker)) {
          setup.emitMarker(markerPrefix, token);
          nextMarker = clock.instant().plus(MARKER_INTERVAL);
        }
        List<SourceRecord> batch = poll(stream);
        for (SourceRecord record : batch) {
          if (done) {
            break;
          }
          apply(record, writer);
        }
        if (!done && clock.instant().isAfter(deadline)) {
          if (inSnapshot) {
            throw new TransientException(
                ReplicationSetup.where(options, source)
                    + ": the snapshot of "
                    + options.qualifiedTable()
                    + " did not finish within max_duration ("
                    + options.maxDuration()
                    + "); raise 'max_duration'");
          }
          LOG.info(
              "Stopping the read of {} after max_duration {}; the rest waits for the next load",
              options.qualifiedTable(),
              options.maxDuration());
          done = true;
        }
      }
    } finally {
      if (passwordToken != null) {
        RegisteredPassword.unregister(passwordToken);
      }
    }
    LOG.debug(
        "Read {} changes of {} from {} ({})",
        changes,
        options.qualifiedTable(),
        options.server(),
        committed == null ? "snapshot" : "stream");
    return new Result(changes, committed == null || snapshotRead, lastTruncate, position);
  }

  private List<SourceRecord> poll(ChangeStream stream) {
    try {
      return stream.poll(POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException(
          ReplicationSetup.where(options, source) + ": interrupted while reading changes");
    } catch (ChangeStream.EngineFailedException e) {
      throw new TransientException(
          ReplicationSetup.where(options, source)
              + ": the change stream of "
              + options.qualifiedTable()
              + " failed: "
              + options.secrets().redact(describe(e.failure())));
    }
  }

  private static String describe(ChangeStream.Failure failure) {
    StringBuilder text = new StringBuilder(Objects.toString(failure.message(), "unknown error"));
    Throwable cause = failure.cause();
    while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause != null
        && cause.getMessage() != null
        && !text.toString().contains(cause.getMessage())) {
      text.append(": ").append(cause.getMessage());
    }
    return text.toString();
  }

  private void apply(SourceRecord record, EngineSession.RowWriter writer) {
    if (!(record.value() instanceof Struct value)) {
      return;
    }
    String op = value.schema().field("op") == null ? null : value.getString("op");
    if ("m".equals(op)) {
      Struct message = value.getStruct("message");
      inSnapshot = false;
      position = CommittedPosition.after(options.slot(), record.sourceOffset());
      if (message != null
          && markerPrefix.equals(message.getString("prefix"))
          && token.equals(content(message.get("content")))) {
        done = true;
      }
      return;
    }
    if (op == null || value.schema().field("source") == null) {
      return; // heartbeats and other records without a change
    }
    Struct sourceInfo = value.getStruct("source");
    String snapshot =
        sourceInfo.schema().field("snapshot") == null
            ? null
            : String.valueOf(sourceInfo.get("snapshot"));
    boolean fromSnapshot = "r".equals(op) && snapshot != null && !"false".equals(snapshot);
    if (fromSnapshot) {
      // a snapshot (also when Debezium found no usable offset) replaces the table
      snapshotRead = true;
    } else {
      inSnapshot = false;
    }
    Struct before = value.getStruct("before");
    Struct after = value.getStruct("after");
    if (hasUnknownColumn(before) || hasUnknownColumn(after)) {
      if (fromSnapshot) {
        throw new TransientException(
            ReplicationSetup.where(options, source)
                + ": "
                + options.qualifiedTable()
                + " changed its columns during the snapshot; load again");
      }
      // the table gained a column: the next load reads its columns again and goes on from here
      LOG.info("{} has a new column: the load stops before it", options.qualifiedTable());
      done = true;
      return;
    }
    Long lsn = sourceInfo.schema().field("lsn") == null ? null : (Long) sourceInfo.get("lsn");
    OffsetDateTime committedAt = committedAt(sourceInfo);
    switch (op) {
      case "r", "c" -> write(writer, after, false, op, lsn, committedAt);
      case "u" -> {
        if (before != null && !sameKey(before, after)) {
          write(writer, before, true, "d", lsn, committedAt);
        }
        write(writer, after, false, op, lsn, committedAt);
      }
      case "d" -> write(writer, before, true, op, lsn, committedAt);
      case "t" -> {
        lastTruncate = sequence;
        write(writer, null, true, op, lsn, committedAt);
      }
      default -> {
        return;
      }
    }
    changes++;
    position = CommittedPosition.after(options.slot(), record.sourceOffset());
    if (!fromSnapshot) {
      streamed++;
      if (options.maxEvents() > 0 && streamed >= options.maxEvents()) {
        done = true;
      }
    }
  }

  private boolean hasUnknownColumn(Struct row) {
    if (row == null) {
      return false;
    }
    for (Field field : row.schema().fields()) {
      if (!columnIndex.containsKey(field.name())) {
        return true;
      }
    }
    return false;
  }

  private boolean sameKey(Struct before, Struct after) {
    for (String key : keys) {
      if (!Objects.equals(before.get(key), after.get(key))) {
        return false;
      }
    }
    return true;
  }

  private void write(
      EngineSession.RowWriter writer,
      Struct row,
      boolean deleted,
      String op,
      Long lsn,
      OffsetDateTime committedAt) {
    Object[] values = new Object[columns.size() + (options.history() ? 5 : 2)];
    if (row != null) {
      for (Field field : row.schema().fields()) {
        int index = columnIndex.get(field.name());
        PostgresTypes.Column column = columns.get(index);
        try {
          values[index] = ChangeValues.convert(row.get(field), field.schema(), column.type());
        } catch (RuntimeException e) {
          throw new DataException(
              "Cannot read column '"
                  + column.name()
                  + "' ("
                  + column.postgresType()
                  + ") of a change to "
                  + options.qualifiedTable()
                  + " at LSN "
                  + lsn
                  + " of source '"
                  + source
                  + "': "
                  + e.getMessage(),
              e);
        }
      }
    }
    int next = columns.size();
    values[next++] = sequence++;
    values[next++] = deleted;
    if (options.history()) {
      values[next++] = op;
      values[next++] = lsn;
      values[next] = committedAt;
    }
    writer.append(values);
  }

  private static OffsetDateTime committedAt(Struct sourceInfo) {
    Object micros = sourceInfo.schema().field("ts_us") == null ? null : sourceInfo.get("ts_us");
    if (micros instanceof Long value) {
      return Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L)
          .atOffset(ZoneOffset.UTC);
    }
    Object millis = sourceInfo.get("ts_ms");
    return millis instanceof Long value
        ? Instant.ofEpochMilli(value).atOffset(ZoneOffset.UTC)
        : null;
  }

  private static String content(Object content) {
    if (content instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (content instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return content == null ? null : content.toString();
  }

  /** The staged rows: the table's columns, then the sequence and delete marker (and history). */
  private Schema schema() {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (PostgresTypes.Column column : columns) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    fields.add(
        Types.NestedField.optional(++id, PostgresCdcConnector.SEQUENCE, Types.LongType.get()));
    fields.add(
        Types.NestedField.optional(++id, PostgresCdcConnector.DELETED, Types.BooleanType.get()));
    if (options.history()) {
      fields.add(Types.NestedField.optional(++id, PostgresCdcConnector.OP, Types.StringType.get()));
      fields.add(Types.NestedField.optional(++id, PostgresCdcConnector.LSN, Types.LongType.get()));
      fields.add(
          Types.NestedField.optional(
              ++id, PostgresCdcConnector.COMMITTED_AT, Types.TimestampType.withZone()));
    }
    return new Schema(fields);
  }

  private Properties engineProperties() {
    CdcOptions.Server server = options.server();
    Properties properties = new Properties();
    properties.setProperty("name", "sluice-" + options.slot());
    properties.setProperty("connector.class", PostgresConnector.class.getName());
    properties.setProperty("offset.storage", StateOffsetStore.class.getName());
    properties.setProperty("offset.flush.interval.ms", "3600000");
    if (committed != null) {
      try {
        properties.setProperty(
            StateOffsetStore.COMMITTED_OFFSET, JSON.writeValueAsString(committed.offsetMap()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    properties.setProperty("topic.prefix", options.slot());
    properties.setProperty("database.hostname", server.host());
    properties.setProperty("database.port", Integer.toString(server.port()));
    properties.setProperty("database.dbname", server.database());
    properties.setProperty("database.user", options.user());
    if (passwordToken != null) {
      // not database.password: Debezium logs its task's configuration
      properties.setProperty(
          "driver.authenticationPluginClassName", RegisteredPassword.class.getName());
      properties.setProperty("driver." + RegisteredPassword.TOKEN, passwordToken);
    }
    properties.setProperty("database.applicationName", "sluice source " + source);
    properties.setProperty("plugin.name", "pgoutput");
    properties.setProperty("slot.name", options.slot());
    properties.setProperty("slot.drop.on.stop", "false");
    properties.setProperty("publication.name", options.publication());
    properties.setProperty("publication.autocreate.mode", "disabled");
    properties.setProperty("table.include.list", Pattern.quote(options.qualifiedTable()));
    properties.setProperty("snapshot.mode", "initial");
    properties.setProperty("snapshot.fetch.size", Integer.toString(options.fetchSize()));
    // the slot is confirmed by the next load, once this load's commit is in the lake
    properties.setProperty("flush.lsn.source", "false");
    properties.setProperty("decimal.handling.mode", "string");
    properties.setProperty("time.precision.mode", "adaptive_time_microseconds");
    properties.setProperty("binary.handling.mode", "bytes");
    properties.setProperty("interval.handling.mode", "string");
    properties.setProperty("hstore.handling.mode", "json");
    properties.setProperty("tombstones.on.delete", "false");
    properties.setProperty("skipped.operations", "none");
    properties.setProperty("message.prefix.include.list", Pattern.quote(markerPrefix));
    properties.setProperty("errors.max.retries", "0");
    properties.setProperty(
        "status.update.interval.ms", Long.toString(Duration.ofSeconds(10).toMillis()));
    return properties;
  }
}
