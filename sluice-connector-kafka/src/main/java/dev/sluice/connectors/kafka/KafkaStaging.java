package dev.sluice.connectors.kafka;

import static dev.sluice.api.sql.Identifiers.quote;
import static dev.sluice.api.sql.SqlLiterals.literal;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages the records of one load in an engine session. Each record goes straight to the engine's
 * bulk row writer with its metadata ({@code _topic}, {@code _partition}, {@code _offset}, {@code
 * _timestamp}, {@code _key}) and its value as text, so no batch is held on the Java heap. Values
 * that are not one JSON object in UTF-8 are rejected here, with the reason; values are then turned
 * into columns by SQL in the engine:
 *
 * <ul>
 *   <li>with declared columns, each field is extracted as JSON and converted with TRY_CAST, so that
 *       a value of the wrong type rejects its record (naming column and value) instead of becoming
 *       NULL;
 *   <li>without, DuckDB's JSON reader infers the columns from every value of the load.
 * </ul>
 *
 * Rejected records go to a table of {@code _source_file} (topic and partition), {@code _line} (the
 * offset), {@code _raw_record} and {@code _reason}, as {@link
 * dev.sluice.api.connector.StagedData#rejectedRelation()} describes.
 */
final class KafkaStaging implements AutoCloseable {
  static final String TOPIC = "_topic";
  static final String PARTITION = "_partition";
  static final String OFFSET = "_offset";
  static final String TIMESTAMP = "_timestamp";
  static final String KEY = "_key";

  /** Column names that the connector or the loader add to every row. */
  static final Set<String> RESERVED =
      Set.of(TOPIC, PARTITION, OFFSET, TIMESTAMP, KEY, "_loaded_at");

  private static final Logger LOG = LoggerFactory.getLogger(KafkaStaging.class);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final String SEQUENCE = "__seq";
  private static final String VALUE = "__value";
  private static final String METADATA = "_key, _topic, _partition, _offset, _timestamp";

  private static final Schema RECORDS =
      new Schema(
          Types.NestedField.optional(1, SEQUENCE, Types.LongType.get()),
          Types.NestedField.optional(2, TOPIC, Types.StringType.get()),
          Types.NestedField.optional(3, PARTITION, Types.IntegerType.get()),
          Types.NestedField.optional(4, OFFSET, Types.LongType.get()),
          Types.NestedField.optional(5, TIMESTAMP, Types.TimestampType.withZone()),
          Types.NestedField.optional(6, KEY, Types.StringType.get()),
          Types.NestedField.optional(7, VALUE, Types.StringType.get()));
  private static final Schema REJECTED =
      new Schema(
          Types.NestedField.optional(1, "_source_file", Types.StringType.get()),
          Types.NestedField.optional(2, "_line", Types.LongType.get()),
          Types.NestedField.optional(3, "_raw_record", Types.StringType.get()),
          Types.NestedField.optional(4, "_reason", Types.StringType.get()));

  private final SourceTableSpec spec;

  /** The source table, as messages name it: {@code source table 'shop.orders'}. */
  private final String described;

  private final EngineSession session;
  private final boolean keepTombstones;
  private final AvroDecoder valueDecoder;
  private final AvroDecoder keyDecoder;
  private final String prefix;
  private final List<String> workTables = new ArrayList<>();
  private EngineSession.RowWriter records;
  private EngineSession.RowWriter rejected;
  private Path valuesFile;
  private Writer values;
  private long sequence;
  private long goodValues;
  private long skippedTombstones;

  /**
   * @throws InvalidInputException for a declared column the connector adds itself, or an Avro
   *     schema file that cannot be read
   */
  KafkaStaging(SourceTableSpec spec, EngineSession session, KafkaOptions options) {
    this.spec = requireNonNull(spec, "spec is null");
    this.described = spec.described();
    this.session = requireNonNull(session, "session is null");
    this.keepTombstones = options.keepTombstones();
    SchemaRegistry registry =
        options.schemaRegistryUrl() == null
            ? null
            : new SchemaRegistry(
                options.schemaRegistryUrl(),
                options.schemaRegistryUsername(),
                options.schemaRegistryPassword(),
                options.timeout(),
                described);
    this.valueDecoder = AvroDecoder.of(options, spec, false, registry);
    this.keyDecoder = AvroDecoder.of(options, spec, true, registry);
    this.prefix = spec.stagingName();
    for (SourceTableSpec.Column column : spec.columns()) {
      if (isReserved(column.name())) {
        throw new InvalidInputException(
            "Column '"
                + column.name()
                + "' of "
                + described
                + " is one the kafka connector adds to every row ("
                + String.join(", ", RESERVED.stream().sorted().toList())
                + "); declare only the fields of the message values");
      }
    }
  }

  /** Whether {@code column} is one the connector adds to every row, compared without case. */
  private static boolean isReserved(String column) {
    return RESERVED.contains(column.toLowerCase(Locale.ROOT));
  }

  /** The temporary table of good rows. */
  String stagedTable() {
    return prefix;
  }

  /** The temporary table of rejected records. */
  String rejectedTable() {
    return prefix + "__rejected";
  }

  /** Creates the tables the records are written to. */
  void open() {
    records = session.openRowWriter(workTable("records"), RECORDS);
    rejected = session.openRowWriter(rejectedTable(), REJECTED);
    if (spec.columns().isEmpty() && valueDecoder == null) {
      try {
        valuesFile = Files.createTempFile("sluice-kafka-", ".ndjson");
        values = Files.newBufferedWriter(valuesFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a temporary file: " + e.getMessage(), e);
      }
    }
  }

  /** Adds one record: as a row, as a rejected record, or (a tombstone) skipped. */
  void add(ConsumerRecord<byte[], byte[]> record) {
    String origin = Offsets.describe(new TopicPartition(record.topic(), record.partition()));
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (keyDecoder != null && record.key() != null) {
      AvroDecoder.Decoded decoded = keyDecoder.decode(record.key());
      if (decoded.problem() != null) {
        reject(record, origin, "the key is " + decoded.problem());
        return;
      }
      key = decoded.datum() instanceof CharSequence text ? text.toString() : decoded.json();
    }
    OffsetDateTime timestamp =
        record.timestamp() == RecordBatch.NO_TIMESTAMP
            ? null
            : OffsetDateTime.ofInstant(Instant.ofEpochMilli(record.timestamp()), ZoneOffset.UTC);
    long seq = ++sequence;
    if (record.value() == null) {
      if (keepTombstones) {
        records.append(
            seq, record.topic(), record.partition(), record.offset(), timestamp, key, null);
      } else {
        skippedTombstones++;
      }
      return;
    }
    if (valueDecoder != null) {
      AvroDecoder.Decoded decoded = valueDecoder.decode(record.value());
      if (decoded.problem() != null) {
        reject(record, origin, decoded.problem());
        return;
      }
      records.append(
          seq, record.topic(), record.partition(), record.offset(), timestamp, key, decoded.json());
      goodValues++;
      return;
    }
    JsonRecords.Decoded decoded = JsonRecords.decode(record.value());
    String problem =
        decoded.problem() != null ? decoded.problem() : JsonRecords.objectProblem(decoded.text());
    if (problem != null) {
      rejected.append(
          origin,
          record.offset(),
          decoded.text(),
          origin + " offset " + record.offset() + ": " + problem);
      return;
    }
    records.append(
        seq, record.topic(), record.partition(), record.offset(), timestamp, key, decoded.text());
    goodValues++;
    if (values != null) {
      try {
        values.write("{\"s\":" + seq + ",\"r\":" + decoded.text() + "}\n");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + valuesFile + ": " + e.getMessage(), e);
      }
    }
  }

  /** Quarantines a record that cannot be decoded; its raw value is kept as base64. */
  private void reject(ConsumerRecord<byte[], byte[]> record, String origin, String problem) {
    rejected.append(
        origin,
        record.offset(),
        record.value() == null
            ? null
            : "base64:" + Base64.getEncoder().encodeToString(record.value()),
        origin + " offset " + record.offset() + ": " + problem);
  }

  /** How many tombstones were skipped. */
  long skippedTombstones() {
    return skippedTombstones;
  }

  /**
   * Builds the staged table from the records added, and moves records whose values do not fit the
   * declared columns to the rejected table.
   *
   * @return the number of staged rows
   */
  long finish() {
    records.close();
    records = null;
    rejected.close();
    rejected = null;
    if (values != null) {
      try {
        values.close();
        values = null;
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + valuesFile + ": " + e.getMessage(), e);
      }
    }
    String recordsTable = workTable("records");
    if (!spec.columns().isEmpty()) {
      return stageDeclared(recordsTable, spec.columns());
    }
    if (valueDecoder != null) {
      List<SourceTableSpec.Column> columns =
          AvroColumns.of(valueDecoder.schemasSeen().values(), valueDecoder.separator());
      for (SourceTableSpec.Column column : columns) {
        if (isReserved(column.name())) {
          throw new DataException(
              "The Avro schema of "
                  + described
                  + " has a field named "
                  + column.name()
                  + ", which the kafka connector adds to every row; rename the field, or"
                  + " declare the table's columns");
        }
      }
      if (!columns.isEmpty()) {
        return stageDeclared(recordsTable, columns);
      }
    }
    return stageInferred(recordsTable);
  }

  private long stageInferred(String recordsTable) {
    String source = quote(recordsTable) + " AS m";
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    if (goodValues > 0 && valuesFile != null) {
      String valuesTable = workTable("values");
      createTable(
          valuesTable,
          "SELECT s, r FROM read_ndjson("
              + literal(valuesFile.toString())
              + ", sample_size = -1, map_inference_threshold = -1,"
              + " maximum_object_size = 33554432)");
      List<Object> valueType = session.query("DESCRIBE " + quote(valuesTable), 2).rows().get(1);
      if (((String) valueType.get(1)).startsWith("STRUCT(")) {
        for (List<Object> column :
            session
                .query("DESCRIBE SELECT r.* FROM " + quote(valuesTable), Integer.MAX_VALUE)
                .rows()) {
          String name = (String) column.get(0);
          String type = (String) column.get(1);
          if (isReserved(name)) {
            throw new DataException(
                "Messages of "
                    + String.join(", ", topics())
                    + " have a field named "
                    + name
                    + ", which the kafka connector adds to every row; rename the field");
          }
          String value = "(v.r)." + quote(name);
          String expression =
              switch (type) {
                case "JSON" -> value + " ->> '$'";
                case "NULL", "\"NULL\"" -> "CAST(NULL AS VARCHAR)";
                default -> value;
              };
          select.add(expression + " AS " + quote(name));
        }
      }
      source += " LEFT JOIN " + quote(valuesTable) + " AS v ON v.s = m." + SEQUENCE;
    }
    select.add(
        "m._key AS _key, m._topic AS _topic, m._partition AS _partition, m._offset AS _offset,"
            + " m._timestamp AS _timestamp");
    return createTable(stagedTable(), select + " FROM " + source + " ORDER BY m." + SEQUENCE);
  }

  private long stageDeclared(String recordsTable, List<SourceTableSpec.Column> columns) {
    ObjectNode structure = MAPPER.createObjectNode();
    columns.forEach(column -> structure.put(column.name(), "JSON"));
    String structureText;
    try {
      structureText = MAPPER.writeValueAsString(structure);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    StringJoiner raw = new StringJoiner(", ");
    StringJoiner typed = new StringJoiner(", ");
    StringJoiner reasons = new StringJoiner(", ", "NULLIF(concat_ws('; ', ", "), '')");
    StringJoiner output = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      SourceTableSpec.Column column = columns.get(i);
      String value = "__v" + i;
      String converted = "__t" + i;
      raw.add("__j." + quote(column.name()) + " AS " + value);
      typed.add(conversion(value, column.type(), valueDecoder != null) + " AS " + converted);
      reasons.add(
          "CASE WHEN "
              + value
              + " IS NOT NULL AND "
              + converted
              + " IS NULL THEN "
              + literal("column \"" + column.name() + "\": ")
              + " || "
              + shown(value)
              + " || "
              + literal(" is not a valid " + DuckDbTypes.toDuckDb(column.type()))
              + " END");
      output.add(converted + " AS " + quote(column.name()));
    }
    String checked = workTable("checked");
    createTable(
        checked,
        "SELECT *, "
            + reasons
            + " AS __reason FROM (SELECT *, "
            + typed
            + " FROM (SELECT *, "
            + raw
            + " FROM (SELECT *, json_transform("
            + VALUE
            + ", "
            + literal(structureText)
            + ") AS __j FROM "
            + quote(recordsTable)
            + ")))");
    session.execute(
        "INSERT INTO "
            + quote(rejectedTable())
            + " SELECT 'topic ''' || _topic || ''' partition ' || _partition, _offset, "
            + VALUE
            + ", 'topic ''' || _topic || ''' partition ' || _partition || ' offset ' || _offset"
            + " || ': ' || __reason FROM "
            + quote(checked)
            + " WHERE __reason IS NOT NULL ORDER BY "
            + SEQUENCE);
    return createTable(
        stagedTable(),
        "SELECT "
            + output
            + ", "
            + METADATA
            + " FROM "
            + quote(checked)
            + " WHERE __reason IS NULL ORDER BY "
            + SEQUENCE);
  }

  /**
   * The typed value of a JSON value, NULL when it does not convert. Binary values of Avro messages
   * are base64 strings ({@link AvroJson}).
   */
  private static String conversion(String value, Type type, boolean base64) {
    if (type.typeId() == Type.TypeID.STRING) {
      return value + " ->> '$'";
    }
    if (base64 && (type.typeId() == Type.TypeID.BINARY || type.typeId() == Type.TypeID.FIXED)) {
      return "from_base64(" + value + " ->> '$')";
    }
    String cast = "TRY_CAST(" + value + " AS " + DuckDbTypes.toDuckDb(type) + ")";
    String expected =
        switch (type.typeId()) {
          case STRUCT, MAP -> "OBJECT";
          case LIST -> "ARRAY";
          default -> null;
        };
    return expected == null
        ? cast
        : "CASE WHEN json_type(" + value + ") = '" + expected + "' THEN " + cast + " END";
  }

  /** A JSON value as shown in a reason, shortened to 200 characters. */
  private static String shown(String value) {
    String text = "CAST(" + value + " AS VARCHAR)";
    return "CASE WHEN length("
        + text
        + ") > 200 THEN left("
        + text
        + ", 200) || '...' ELSE "
        + text
        + " END";
  }

  long count(String table) {
    return ((Number) session.query("SELECT count(*) FROM " + quote(table), 1).rows().get(0).get(0))
        .longValue();
  }

  /**
   * The first rejected record (by topic, partition and offset) and how many there are, or null when
   * none was rejected.
   */
  Rejection firstRejection() {
    List<List<Object>> first =
        session
            .query(
                "SELECT _source_file, _line, _reason, (SELECT count(*) FROM "
                    + quote(rejectedTable())
                    + ") FROM "
                    + quote(rejectedTable())
                    + " ORDER BY _source_file, _line LIMIT 1",
                1)
            .rows();
    if (first.isEmpty()) {
      return null;
    }
    List<Object> row = first.get(0);
    return new Rejection((String) row.get(2), ((Number) row.get(3)).longValue());
  }

  /** The first rejected record's reason (naming topic, partition and offset) and the count. */
  record Rejection(String reason, long count) {}

  private List<String> topics() {
    return session
        .query(
            "SELECT DISTINCT _topic FROM " + quote(workTable("records")) + " ORDER BY 1",
            Integer.MAX_VALUE)
        .rows()
        .stream()
        .map(row -> "topic '" + row.get(0) + "'")
        .toList();
  }

  private long createTable(String name, String sql) {
    try {
      return session.createTemporaryTable(name, sql);
    } catch (QueryException e) {
      throw new DataException(
          "Cannot stage the records of " + described + ": " + firstLine(e.getMessage()), e);
    }
  }

  private String workTable(String purpose) {
    String name = prefix + "__" + purpose;
    if (!workTables.contains(name)) {
      workTables.add(name);
    }
    return name;
  }

  /** Drops the intermediate tables and the buffer file. */
  @Override
  public void close() {
    closeQuietly(records);
    closeQuietly(rejected);
    for (String table : workTables) {
      dropQuietly(table);
    }
    if (values != null) {
      try {
        values.close();
      } catch (IOException e) {
        LOG.debug("Cannot close {}", valuesFile, e);
      }
    }
    if (valuesFile != null) {
      try {
        Files.deleteIfExists(valuesFile);
      } catch (IOException e) {
        valuesFile.toFile().deleteOnExit();
      }
    }
  }

  /** Drops the table of rejected records, when none was rejected. */
  void dropRejected() {
    dropQuietly(rejectedTable());
  }

  /** Drops the staged and rejected tables too, after a failure. */
  void dropAll() {
    close();
    dropQuietly(stagedTable());
    dropQuietly(rejectedTable());
  }

  private static void closeQuietly(EngineSession.RowWriter writer) {
    if (writer == null) {
      return;
    }
    try {
      writer.close();
    } catch (RuntimeException e) {
      LOG.debug("Cannot close a row writer", e);
    }
  }

  private void dropQuietly(String table) {
    try {
      session.dropTemporaryTable(table);
    } catch (RuntimeException e) {
      LOG.debug("Cannot drop staging table {}", table, e);
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
