package dev.sluice.connectors.http;

import static dev.sluice.api.sql.Identifiers.quote;
import static dev.sluice.api.sql.SqlLiterals.literal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.io.TemporaryFiles;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages the records of one load in the engine, in two passes over a temporary file, so that no
 * more than a page is held in memory:
 *
 * <ol>
 *   <li>{@link #add} shapes each record of a page into rows ({@link RecordShaper}), writes them to
 *       a buffer file, counts the kinds of their values ({@link JsonTypeInference}) unless the
 *       table declares its columns, and keeps the greatest cursor value;
 *   <li>{@link #finish} checks every row against the column types ({@link JsonValues}): rows that
 *       fit go to a second file that DuckDB's JSON reader loads with exactly those types; the
 *       others are rejected with their page URL, record number and reason when the table
 *       quarantines, or fail the load with a {@link DataException} naming them when it does not.
 * </ol>
 */
final class HttpStaging implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpStaging.class);
  private static final String SEQUENCE = "__sluice_seq";
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .nodeFactory(new JsonNodeFactory(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  private final EngineSession session;
  private final SourceTableSpec table;
  private final HttpOptions options;
  private final RecordShaper shaper;
  private final JsonPointer cursor;
  private final String what;
  private final String stagedName;
  private final String rawName;
  private final String rejectedName;
  private final Path buffer;
  private final Writer out;
  private final List<String> pages = new ArrayList<>();
  private final Map<String, JsonTypeInference> inferred = new LinkedHashMap<>();
  private final ReplayWindow window;
  private long rows;
  private long records;
  private long outsideWindow;
  private String greatest;

  /**
   * @param previousCursor the greatest cursor value committed by the last load, or null
   * @param window for a replay, the cursor values to keep (records outside it, or without a cursor
   *     value, are skipped); null for an ordinary load
   */
  HttpStaging(
      EngineSession session,
      SourceTableSpec table,
      HttpOptions options,
      RecordShaper shaper,
      String previousCursor,
      ReplayWindow window) {
    this.window = window;
    this.session = session;
    this.table = table;
    this.options = options;
    this.shaper = shaper;
    this.cursor =
        options.incremental().enabled() ? JsonPaths.pointer(options.incremental().cursor()) : null;
    this.what = table.described();
    String base = table.stagingName();
    this.stagedName = base;
    this.rawName = base + "__read";
    this.rejectedName = base + "__rejected";
    this.greatest = previousCursor;
    try {
      this.buffer = Files.createTempFile("sluice-http-", ".ndjson");
      this.out = Files.newBufferedWriter(buffer, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary file: " + e.getMessage(), e);
    }
  }

  /** How many records the pages held so far. */
  long records() {
    return records;
  }

  /** The greatest cursor value read so far (or committed before), or null. */
  String greatestCursor() {
    return greatest;
  }

  /**
   * Adds the records of one page.
   *
   * @param url the page's URL as shown (no secrets)
   */
  void add(String url, JsonNode pageRecords) {
    int page = pages.size();
    pages.add(url);
    int number = 0;
    try {
      for (JsonNode record : pageRecords) {
        number++;
        records++;
        String cursorValue = null;
        if (cursor != null && record.isObject()) {
          JsonNode value = record.at(cursor);
          if (value.isValueNode() && !value.isNull()) {
            cursorValue = value.asText();
            if (greatest == null || CursorValues.compare(cursorValue, greatest) > 0) {
              greatest = cursorValue;
            }
          }
        }
        if (window != null && !inWindow(cursorValue)) {
          outsideWindow++;
          continue;
        }
        List<ObjectNode> shaped;
        try {
          shaped = shaper.rows(record);
        } catch (JsonValues.Mismatch e) {
          reject(page, number, record, e.getMessage());
          continue;
        }
        for (ObjectNode row : shaped) {
          if (table.columns().isEmpty()) {
            JsonTypeInference.addFields(inferred, row);
          }
          ObjectNode line = MAPPER.createObjectNode();
          line.put("p", page);
          line.put("n", number);
          line.set("r", row);
          out.write(MAPPER.writeValueAsString(line));
          out.write('\n');
          rows++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + buffer + ": " + e.getMessage(), e);
    }
  }

  private boolean inWindow(String cursorValue) {
    return cursorValue != null
        && CursorValues.compare(cursorValue, window.from()) >= 0
        && (window.to() == null || CursorValues.compare(cursorValue, window.to()) <= 0);
  }

  /** How many records a replay skipped because their cursor value lies outside its window. */
  long outsideWindow() {
    return outsideWindow;
  }

  /** Writes a record that cannot become rows; it is checked again, and rejected, by finish. */
  private void reject(int page, int number, JsonNode record, String reason) throws IOException {
    if (!table.quarantine()) {
      throw recordFailure(page, number, reason);
    }
    ObjectNode line = MAPPER.createObjectNode();
    line.put("p", page);
    line.put("n", number);
    line.put("e", reason);
    line.set("r", record);
    out.write(MAPPER.writeValueAsString(line));
    out.write('\n');
  }

  private DataException recordFailure(int page, int number, String reason) {
    return new DataException(
        "Record "
            + number
            + " of page "
            + (page + 1)
            + " ("
            + pages.get(page)
            + ") of "
            + what
            + " cannot be loaded: "
            + reason
            + "; fix the source, declare the column's type, or set 'on_error: quarantine' to"
            + " keep such records in the table's __rejected table");
  }

  /**
   * Stages the rows read: checks them, loads the good ones into a temporary table (de-duplicated on
   * the primary key) and the rejected ones into another.
   *
   * @param state the connector state to commit with the data
   */
  StagedData finish(Map<String, String> state, StagedData.Write write) {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + buffer + ": " + e.getMessage(), e);
    }
    Schema schema = schema();
    if (schema.columns().isEmpty()) {
      if (rows == 0 && records == 0) {
        LOG.info("{}: the source returned no records", what);
        return StagedData.nothingNew(state);
      }
      if (rows == 0 && !table.quarantine()) {
        return StagedData.nothingNew(state);
      }
    }
    for (String key : options.incremental().primaryKey()) {
      if (schema.findField(key) == null) {
        throw new InvalidInputException(
            "'primary_key' of "
                + what
                + " names column '"
                + key
                + "', which the records do not have; the columns are "
                + String.join(
                    ", ", schema.columns().stream().map(Types.NestedField::name).toList()));
      }
    }
    Path good = TemporaryFiles.create("sluice-http-rows-", ".ndjson");
    try {
      long rejected;
      long goodRows;
      try (BufferedReader in = Files.newBufferedReader(buffer, StandardCharsets.UTF_8);
          Writer goodOut = Files.newBufferedWriter(good, StandardCharsets.UTF_8);
          EngineSession.RowWriter rejects =
              table.quarantine() ? session.openRowWriter(rejectedName, rejectedSchema()) : null) {
        long sequence = 0;
        goodRows = 0;
        for (String text = in.readLine(); text != null; text = in.readLine()) {
          JsonNode line = MAPPER.readTree(text);
          int page = line.get("p").asInt();
          int number = line.get("n").asInt();
          JsonNode row = line.get("r");
          String reason = line.has("e") ? line.get("e").asText() : null;
          ObjectNode converted = MAPPER.createObjectNode();
          if (reason == null) {
            for (Types.NestedField column : schema.columns()) {
              try {
                converted.set(
                    column.name(), JsonValues.convert(row.get(column.name()), column.type()));
              } catch (JsonValues.Mismatch e) {
                reason = "column \"" + column.name() + "\": " + e.getMessage();
                break;
              }
            }
          }
          if (reason != null) {
            if (rejects == null) {
              throw recordFailure(page, number, reason);
            }
            rejects.append(pages.get(page), (long) number, shown(row), reason);
            continue;
          }
          converted.put(SEQUENCE, sequence++);
          goodOut.write(MAPPER.writeValueAsString(converted));
          goodOut.write('\n');
          goodRows++;
        }
        rejected = rejects == null ? 0 : rejects.rows();
      }
      if (rejected == 0) {
        drop(rejectedName);
      }
      if (goodRows == 0 && rejected == 0 && (options.incremental().enabled() || window != null)) {
        return StagedData.nothingNew(state);
      }
      load(schema, good, goodRows);
      long staged = deduplicate(schema);
      drop(rawName);
      LOG.debug(
          "{}: {} pages, {} records, {} rows staged, {} rejected",
          what,
          pages.size(),
          records,
          staged,
          rejected);
      return StagedData.builder()
          .relation(stagedName, staged)
          .rejected(rejected == 0 ? null : rejectedName, rejected)
          .state(state)
          .write(write)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + buffer + ": " + e.getMessage(), e);
    } finally {
      delete(good);
    }
  }

  /** The declared columns, or those inferred from the rows. */
  private Schema schema() {
    return table.columns().isEmpty() ? inferredSchema(inferred) : declaredSchema(table);
  }

  /** The columns the table declares. */
  static Schema declaredSchema(SourceTableSpec table) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (SourceTableSpec.Column column : table.columns()) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    return new Schema(fields);
  }

  /** The columns the counted kinds of values give, in the order the fields were first seen. */
  static Schema inferredSchema(Map<String, JsonTypeInference> inferred) {
    List<Types.NestedField> fields = new ArrayList<>();
    AtomicInteger ids = new AtomicInteger(10_000);
    int id = 0;
    for (Map.Entry<String, JsonTypeInference> column : inferred.entrySet()) {
      fields.add(Types.NestedField.optional(++id, column.getKey(), column.getValue().type(ids)));
    }
    return new Schema(fields);
  }

  private static Schema rejectedSchema() {
    return new Schema(
        Types.NestedField.optional(1, "_source_file", Types.StringType.get()),
        Types.NestedField.optional(2, "_line", Types.LongType.get()),
        Types.NestedField.optional(3, "_raw_record", Types.StringType.get()),
        Types.NestedField.optional(4, "_reason", Types.StringType.get()));
  }

  private void load(Schema schema, Path good, long goodRows) {
    if (goodRows == 0) {
      Map<String, Type> empty = new LinkedHashMap<>();
      schema.columns().forEach(column -> empty.put(column.name(), column.type()));
      empty.put(SEQUENCE, Types.LongType.get());
      session.createTemporaryTable(rawName, DuckDbTypes.emptySelect(empty));
      return;
    }
    StringJoiner columns = new StringJoiner(", ", "{", "}");
    for (Types.NestedField column : schema.columns()) {
      columns.add(literal(column.name()) + ": " + literal(DuckDbTypes.toDuckDb(column.type())));
    }
    columns.add(literal(SEQUENCE) + ": 'BIGINT'");
    session.createTemporaryTable(
        rawName,
        "SELECT * FROM read_ndjson("
            + literal(good.toString())
            + ", columns = "
            + columns
            + ", maximum_object_size = 16777216)");
  }

  /** Keeps the last row read per primary key (the one with the greatest cursor, if any). */
  private long deduplicate(Schema schema) {
    List<String> keys = options.incremental().primaryKey();
    String select = "SELECT * EXCLUDE (" + quote(SEQUENCE) + ") FROM " + quote(rawName);
    if (keys.isEmpty()) {
      return session.createTemporaryTable(stagedName, select + " ORDER BY " + quote(SEQUENCE));
    }
    StringJoiner partition = new StringJoiner(", ");
    keys.forEach(key -> partition.add(quote(key)));
    String order = quote(SEQUENCE) + " DESC";
    String cursorColumn = cursorColumn(schema);
    if (cursorColumn != null) {
      order = cursorColumn + " DESC NULLS LAST, " + order;
    }
    return session.createTemporaryTable(
        stagedName,
        select
            + " QUALIFY row_number() OVER (PARTITION BY "
            + partition
            + " ORDER BY "
            + order
            + ") = 1 ORDER BY "
            + quote(SEQUENCE));
  }

  /** The cursor as a column expression of the staged rows, when it is one. */
  private String cursorColumn(Schema schema) {
    if (cursor == null || options.childPath() != null) {
      return null;
    }
    List<String> names = JsonPaths.names(options.incremental().cursor());
    if (options.flatten()) {
      String name = String.join(options.separator(), names);
      return schema.findField(name) == null ? null : quote(name);
    }
    if (schema.findField(names.get(0)) == null) {
      return null;
    }
    StringJoiner path = new StringJoiner(".");
    names.forEach(name -> path.add(quote(name)));
    return names.size() == 1 ? path.toString() : "(" + path + ")";
  }

  private static String shown(JsonNode row) {
    return row.toString();
  }

  /** Drops the temporary tables, after a failure. */
  void dropAll() {
    drop(rawName);
    drop(stagedName);
    drop(rejectedName);
  }

  private void drop(String name) {
    try {
      session.dropTemporaryTable(name);
    } catch (RuntimeException e) {
      LOG.debug("Cannot drop staging table {}", name, e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      LOG.debug("Cannot close {}", buffer, e);
    }
    delete(buffer);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      file.toFile().deleteOnExit();
    }
  }
}
