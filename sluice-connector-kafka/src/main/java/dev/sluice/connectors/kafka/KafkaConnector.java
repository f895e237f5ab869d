package dev.sluice.connectors.kafka;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka} connector: loads the JSON or Avro messages of one or more topics into a table,
 * each record exactly once (Avro as {@link AvroDecoder} and {@link AvroColumns} describe).
 *
 * <ul>
 *   <li>A load reads, per partition, from the offset committed with the table up to the end offset
 *       seen when the load starts (bounded, and at most {@code max_records}), with partitions
 *       assigned by hand. The offsets it reached are returned as {@link StagedData#state()}, which
 *       Sluice commits in the same Iceberg snapshot as the rows (see {@link Offsets}). A load that
 *       fails or is killed before that commit leaves the offsets where they were, so the next load
 *       reads the same records again; after it, they are never read again.
 *   <li>Consumer groups play no part in that: with {@code group_id}, offsets are also committed to
 *       a group so that Kafka's tools can show the lag, and that commit may fail harmlessly.
 *   <li>Partitions added to a topic later are read from their start. A committed offset that the
 *       partition no longer has (deleted by retention) fails the load, or with {@code offset_reset}
 *       skips to the earliest or latest record (see {@link ReadPlan}).
 *   <li>Rows carry {@code _key}, {@code _topic}, {@code _partition}, {@code _offset} and {@code
 *       _timestamp}; values become columns as {@link KafkaStaging} describes. Tombstones (records
 *       without a value) are skipped, or kept with {@code tombstones: keep}.
 *   <li>Brokers that cannot be reached fail the load with a {@link TransientException} naming the
 *       source and the bootstrap servers; a secret is never part of a message.
 * </ul>
 */
public final class KafkaConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConnector.class);

  @Override
  public String type() {
    return "kafka";
  }

  @Override
  public String description() {
    return "JSON or Avro messages of Kafka topics (Avro with a Confluent-API schema registry or a"
        + " schema file), each record loaded exactly once, with the offsets committed in the"
        + " table's Iceberg snapshot";
  }

  @Override
  public List<ConnectorOption> options() {
    return KafkaOptions.DECLARATIONS;
  }

  /** In {@code mode: incremental}, a load reads what is new since the last. */
  @Override
  public boolean incremental(ConnectorOptions options) {
    return "incremental".equals(options.choice(KafkaOptions.MODE));
  }

  @Override
  public List<String> validate(ConnectorOptions options) {
    return KafkaOptions.problems(options);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException for options that cannot work, a refused login or a missing topic
   * @throws TransientException when no broker answers within {@code timeout}
   * @throws DataException for a malformed message when the table does not quarantine, naming topic,
   *     partition and offset; or for offsets deleted by retention with {@code offset_reset: fail}
   */
  @Override
  public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    requireNonNull(session, "session is null");
    String what = table.described();
    KafkaOptions options = checkedOptions(table);
    // a full load reads everything the topics retain, whatever was loaded before
    Map<TopicPartition, Long> committed =
        options.full() ? Map.of() : Offsets.fromState(state.state());
    if (state.replayWindow().isPresent()) {
      return Replay.stage(table, options, state, session, what);
    }
    KafkaStaging staging = new KafkaStaging(table, session, options);
    try (KafkaReader reader = new KafkaReader(options, table.source(), table.table())) {
      // the offsets the table has committed: corrects the group after a load that failed
      reader.commitToGroup(committed);
      KafkaReader.Partitions partitions = reader.partitions();
      ReadPlan plan =
          ReadPlan.of(partitions.beginning(), partitions.end(), committed, options, what);
      boolean firstLoad = committed.isEmpty();
      StagedData.Write write = firstLoad ? StagedData.Write.replace() : StagedData.Write.append();
      if (!plan.hasRecords()) {
        if (!options.full() && plan.start().equals(committed)) {
          return StagedData.nothingNew(state.state());
        }
        // nothing to read, but where to start changed (a first load, a reset, a new partition):
        // commit the offsets with an empty load, or the next load would decide again; a full
        // load of empty topics empties the table
        staging.open();
        long rows = staging.finish();
        staging.close();
        staging.dropRejected();
        return StagedData.builder()
            .relation(staging.stagedTable(), rows)
            .state(Offsets.toState(plan.start()))
            .write(write)
            .build();
      }
      staging.open();
      long started = System.nanoTime();
      Map<TopicPartition, Long> next = reader.read(plan, options.maxRecords(), staging::add);
      long rows = staging.finish();
      KafkaStaging.Rejection rejection = staging.firstRejection();
      if (rejection != null && !table.quarantine()) {
        throw malformed(table, rejection);
      }
      staging.close();
      long rejected = rejection == null ? 0 : rejection.count();
      if (rejection == null) {
        staging.dropRejected();
      }
      LOG.debug(
          "Read {} rows ({} rejected, {} tombstones skipped) of {} from {} in {} ms",
          rows,
          rejected,
          staging.skippedTombstones(),
          what,
          options.bootstrapServers(),
          (System.nanoTime() - started) / 1_000_000);
      // for monitoring only, before Sluice commits: a failed commit is corrected by the next load
      reader.commitToGroup(next);
      return StagedData.builder()
          .relation(staging.stagedTable(), rows)
          .rejected(rejection == null ? null : staging.rejectedTable(), rejected)
          .state(Offsets.toState(next))
          .write(write)
          .build();
    } catch (RuntimeException e) {
      staging.dropAll();
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A window of record timestamps is read again, up to the offsets the table has loaded, and
   * merged on {@code _topic}, {@code _partition} and {@code _offset}; see {@link Replay}.
   */
  @Override
  public boolean supportsReplay() {
    return true;
  }

  @Override
  public String replayWindowDescription() {
    return Replay.DESCRIPTION;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compares the end offsets of the partitions with the offsets committed with the table.
   *
   * @throws TransientException when no broker answers
   */
  @Override
  public boolean hasNewData(SourceTableSpec table, LoadState state) {
    KafkaOptions options = checkedOptions(table);
    // a full load commits the end offsets too: they tell whether the topics changed since
    Map<TopicPartition, Long> committed = Offsets.fromState(state.state());
    try (KafkaReader reader = new KafkaReader(options, table.source(), table.table())) {
      KafkaReader.Partitions partitions = reader.partitions();
      for (Map.Entry<TopicPartition, Long> entry : partitions.end().entrySet()) {
        long end = entry.getValue();
        Long next = committed.get(entry.getKey());
        if (next == null) {
          boolean skipsToLatest =
              !options.full() && committed.isEmpty() && options.startingOffsets().equals("latest");
          if (!skipsToLatest && end > partitions.beginning().getOrDefault(entry.getKey(), 0L)) {
            return true;
          }
        } else if (next != end) {
          // more records, or a partition that lost records: a load has something to do or say
          return true;
        }
      }
      return false;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The columns are the declared ones (after checking that the topics exist); for Avro values
   * without declared columns, those of the schema file or of the registry's latest schema of the
   * subject {@code <topic>-value}. JSON columns without declared types are inferred from the
   * records a load reads, so they cannot be known before.
   *
   * @throws UnsupportedOperationException when the table declares no column types and its columns
   *     cannot be known from an Avro schema
   */
  @Override
  public DiscoveredSchema discover(SourceTableSpec table) {
    String what = table.described();
    KafkaOptions options = checkedOptions(table);
    try (KafkaReader reader = new KafkaReader(options, table.source(), table.table())) {
      reader.partitions();
    }
    List<SourceTableSpec.Column> columns = table.columns();
    if (columns.isEmpty() && options.avroValues()) {
      columns = avroColumns(table, options, what);
    }
    if (columns.isEmpty() && options.avroValues()) {
      throw new UnsupportedOperationException(
          "The schema registry at "
              + options.schemaRegistryUrl()
              + " has no subject "
              + options.topics().stream().map(topic -> "'" + topic + "-value'").toList()
              + " for the columns of "
              + what
              + "; they come from the schemas of the messages each load reads, or declare the"
              + " columns with their types");
    }
    if (columns.isEmpty()) {
      throw new UnsupportedOperationException(
          "The kafka connector infers the columns of "
              + what
              + " from the messages each load reads; declare the columns with their types to"
              + " fix them");
    }
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (SourceTableSpec.Column column : columns) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    return new DiscoveredSchema(new Schema(fields), List.of(), List.of());
  }

  /**
   * The columns of Avro values before any load: those of the schema file, or of the latest schema
   * of each topic's {@code <topic>-value} subject (Confluent's default subject naming); empty when
   * the registry has no such subject.
   */
  private static List<SourceTableSpec.Column> avroColumns(
      SourceTableSpec table, KafkaOptions options, String what) {
    if (options.valueSchema() != null) {
      return AvroColumns.of(
          List.of(AvroDecoder.schemaFile(table, options.valueSchema(), "value_schema")),
          options.flattenSeparator());
    }
    SchemaRegistry registry =
        new SchemaRegistry(
            options.schemaRegistryUrl(),
            options.schemaRegistryUsername(),
            options.schemaRegistryPassword(),
            options.timeout(),
            what);
    List<org.apache.avro.Schema> schemas = new ArrayList<>();
    for (String topic : options.topics()) {
      org.apache.avro.Schema schema = registry.latest(topic + "-value");
      if (schema == null) {
        return List.of();
      }
      schemas.add(schema);
    }
    return AvroColumns.of(schemas, options.flattenSeparator());
  }

  private KafkaOptions checkedOptions(SourceTableSpec table) {
    return KafkaOptions.of(ConnectorOptions.checked(this, table), table.table());
  }

  /** The error for a malformed record when the table does not quarantine. */
  static DataException malformed(SourceTableSpec table, KafkaStaging.Rejection rejection) {
    StringBuilder message =
        new StringBuilder("Malformed record in ").append(rejection.reason()).append(". ");
    if (rejection.count() > 1) {
      message
          .append("The load found ")
          .append(rejection.count())
          .append(" malformed records; this is the first. ");
    }
    return new DataException(
        message
            .append("Nothing was loaded. Fix the producer, or set on_error: quarantine on table '")
            .append(table.table())
            .append("' in sources/")
            .append(table.source())
            .append(".yaml to load the good records and keep the bad ones in raw.")
            .append(table.source())
            .append('_')
            .append(table.table())
            .append("__rejected")
            .toString());
  }
}
