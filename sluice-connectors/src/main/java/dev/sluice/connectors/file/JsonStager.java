package dev.sluice.connectors.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.DataException;
import dev.sluice.api.QueryException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.io.TemporaryFiles;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
import dev.sluice.engine.duckdb.DuckDbTypes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Stages JSON files: an array of objects ({@code [{...}, {...}]}) or one object per line (NDJSON),
 * told apart by the first character. DuckDB's JSON reader can only fail or silently skip bad
 * records, so each record is first checked here with Jackson: good records go, tagged with their
 * file and line, to a buffer file that DuckDB reads; bad ones are rejected with their line. Values
 * are then converted to declared types by {@link DeclaredColumns}. In an array, a syntax error ends
 * what can be read: the rest of the file becomes one rejected record, so that nothing is dropped
 * without a trace.
 */
final class JsonStager implements FormatStager {
  private static final String FORMAT_HINT =
      "a JSON source file holds an array of objects, or one object per line";
  private static final int MAX_RAW_CHARACTERS = 1 << 20;
  private static final int MAX_SHOWN_CHARACTERS = 1000;
  private static final Pattern START_MARKER =
      Pattern.compile(
          " ?\\(start marker at \\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]\\)");

  /** DuckDB's {@code maximum_object_size} for the buffer file's records. */
  private static final int MAX_OBJECT_BYTES = 1 << 28;

  /** The longest record read: a buffered record adds its file and line to it. */
  private static final int MAX_RECORD_BYTES = MAX_OBJECT_BYTES - 1024;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength(MAX_RECORD_BYTES).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();
  private static final JsonMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .nodeFactory(new JsonNodeFactory(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /** What reading one file produced. */
  private record FileResult(long goodRecords, List<RejectedRecord> rejected) {}

  @Override
  public long stage(Staging staging, List<InputFile> files) {
    Path buffer = TemporaryFiles.create("sluice-json-", ".ndjson");
    try {
      long good = 0;
      List<RejectedRecord> rejected = new ArrayList<>();
      try (Writer out = Files.newBufferedWriter(buffer, StandardCharsets.UTF_8)) {
        for (int i = 0; i < files.size(); i++) {
          InputFile file = files.get(i);
          FileResult result = split(file, i, out);
          good += result.goodRecords();
          rejected.addAll(result.rejected());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + buffer + ": " + e.getMessage(), e);
      }
      staging.insertRejected(rejected);
      List<String> names = files.stream().map(InputFile::name).toList();
      return staging.spec().columns().isEmpty()
          ? stageInferred(staging, buffer, names, good)
          : stageDeclared(staging, buffer, names, good);
    } finally {
      try {
        Files.deleteIfExists(buffer);
      } catch (IOException e) {
        buffer.toFile().deleteOnExit();
      }
    }
  }

  private static long stageInferred(
      Staging staging, Path buffer, List<String> names, long goodRecords) {
    EngineSession session = staging.session();
    if (goodRecords == 0) {
      return session.createTemporaryTable(
          staging.stagedTable(),
          DuckDbTypes.emptySelect(Map.of("_source_file", Types.StringType.get())));
    }
    String records =
        readBuffer(staging, buffer, "f, l, r", "sample_size = -1, map_inference_threshold = -1");
    List<Object> recordType =
        session.query("DESCRIBE " + Identifiers.quote(records), 3).rows().get(2);
    if (!((String) recordType.get(1)).startsWith("STRUCT(")) {
      throw new DataException(
          "Cannot infer columns from "
              + String.join(", ", names)
              + ": the records have no fields; declare the columns in sources/"
              + staging.spec().source()
              + ".yaml");
    }
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    StringJoiner finalColumns = new StringJoiner(", ");
    StringJoiner reasons = new StringJoiner(", ", "NULLIF(concat_ws('; ', ", "), '')");
    boolean checked = false;
    for (List<Object> column :
        session
            .query("DESCRIBE SELECT r.* FROM " + Identifiers.quote(records), Integer.MAX_VALUE)
            .rows()) {
      String name = (String) column.get(0);
      String type = (String) column.get(1);
      staging.checkNotReserved(String.join(", ", names), name);
      String value = "r." + Identifiers.quote(name);
      Type majority = "JSON".equals(type) ? majorityType(session, records, value) : null;
      String expression =
          switch (type) {
            case "JSON" ->
                majority == null
                    ? value + " ->> '$'"
                    : DeclaredColumns.jsonConversion(value, majority);
            case "NULL", "\"NULL\"" -> "CAST(NULL AS VARCHAR)";
            default -> value;
          };
      if (majority != null) {
        checked = true;
        String raw = "__r." + Identifiers.quote(name);
        reasons.add(
            "CASE WHEN json_type("
                + raw
                + ") <> 'NULL' AND "
                + Identifiers.quote(name)
                + " IS NULL THEN "
                + SqlLiterals.literal("column \"" + name + "\": ")
                + " || "
                + DeclaredColumns.shown(raw, true)
                + " || "
                + SqlLiterals.literal(" is not a valid " + DuckDbTypes.toDuckDb(majority))
                + " END");
      }
      select.add(expression + " AS " + Identifiers.quote(name));
      finalColumns.add(Identifiers.quote(name));
    }
    select.add(Sql.stringList(names) + "[f + 1] AS _source_file");
    finalColumns.add("_source_file");
    if (!checked) {
      return session.createTemporaryTable(
          staging.stagedTable(), select + " FROM " + Identifiers.quote(records) + " ORDER BY f, l");
    }
    // A record whose value in a column of mostly numbers (or booleans) is something else is
    // rejected, as the HTTP connector does: the column keeps its type for the other records.
    String work = staging.workTable("json_checked");
    select.add("f AS __f, l AS __l, r AS __r");
    session.createTemporaryTable(
        work,
        "SELECT *, "
            + reasons
            + " AS __reason FROM ("
            + select
            + " FROM "
            + Identifiers.quote(records)
            + ")");
    session.execute(
        "INSERT INTO "
            + Identifiers.quote(staging.rejectedTable())
            + " SELECT _source_file, __l, CAST(to_json(__r) AS VARCHAR), __reason FROM "
            + Identifiers.quote(work)
            + " WHERE __reason IS NOT NULL ORDER BY __f, __l");
    return session.createTemporaryTable(
        staging.stagedTable(),
        "SELECT "
            + finalColumns
            + " FROM "
            + Identifiers.quote(work)
            + " WHERE __reason IS NULL ORDER BY __f, __l");
  }

  /**
   * The type of a column of mixed JSON values when more than half of its values are numbers (long,
   * or double when one has a fraction) or booleans; else null, and the column is text, which holds
   * every value.
   */
  private static Type majorityType(EngineSession session, String records, String value) {
    long numbers = 0;
    long fractions = 0;
    long booleans = 0;
    long values = 0;
    for (List<Object> row :
        session
            .query(
                "SELECT json_type("
                    + value
                    + "), count(*) FROM "
                    + Identifiers.quote(records)
                    + " WHERE "
                    + value
                    + " IS NOT NULL GROUP BY 1",
                Integer.MAX_VALUE)
            .rows()) {
      String kind = (String) row.get(0);
      long count = ((Number) row.get(1)).longValue();
      switch (kind) {
        case "BIGINT", "UBIGINT" -> numbers += count;
        case "DOUBLE" -> {
          numbers += count;
          fractions += count;
        }
        case "BOOLEAN" -> booleans += count;
        default -> {}
      }
      if (!"NULL".equals(kind)) {
        values += count;
      }
    }
    if (numbers * 2 > values) {
      return fractions > 0 ? Types.DoubleType.get() : Types.LongType.get();
    }
    return booleans * 2 > values ? Types.BooleanType.get() : null;
  }

  private static long stageDeclared(
      Staging staging, Path buffer, List<String> names, long goodRecords) {
    List<SourceTableSpec.Column> columns = staging.spec().columns();
    EngineSession session = staging.session();
    if (goodRecords == 0) {
      Map<String, Type> empty = new LinkedHashMap<>();
      columns.forEach(column -> empty.put(column.name(), column.type()));
      empty.put("_source_file", Types.StringType.get());
      return session.createTemporaryTable(staging.stagedTable(), DuckDbTypes.emptySelect(empty));
    }
    ObjectNode structure = MAPPER.createObjectNode();
    columns.forEach(column -> structure.put(column.name(), "JSON"));
    String records =
        readBuffer(
            staging,
            buffer,
            "f, l, r, json_transform(r, " + SqlLiterals.literal(structure.toString()) + ") AS v",
            "columns = {'f': 'INTEGER', 'l': 'BIGINT', 'r': 'JSON'}");
    StringJoiner source = new StringJoiner(", ", "SELECT ", "");
    for (int i = 0; i < columns.size(); i++) {
      source.add(
          "v."
              + Identifiers.quote(columns.get(i).name())
              + " AS "
              + DeclaredColumns.valueColumn(i));
    }
    source.add(Sql.stringList(names) + "[f + 1] AS _source_file");
    source.add("l AS __line");
    source.add("r AS __raw");
    return new DeclaredColumns(columns, true)
        .stage(
            staging,
            source + " FROM " + Identifiers.quote(records) + " ORDER BY f, l",
            "CAST(__raw AS VARCHAR)");
  }

  /**
   * Reads the buffered records (file index {@code f}, line {@code l}, record {@code r}) into a new
   * work table of {@code columns}, with read_ndjson's {@code options}, and returns its name.
   */
  private static String readBuffer(Staging staging, Path buffer, String columns, String options) {
    String records = staging.workTable("json");
    try {
      staging
          .session()
          .createTemporaryTable(
              records,
              "SELECT "
                  + columns
                  + " FROM read_ndjson("
                  + SqlLiterals.literal(buffer.toString())
                  + ", "
                  + options
                  + ", maximum_object_size = "
                  + MAX_OBJECT_BYTES
                  + ")");
    } catch (QueryException e) {
      throw new DataException("Cannot load the JSON records: " + Sql.firstLine(e.getMessage()), e);
    }
    return records;
  }

  /** Checks the records of one file and writes the good ones to {@code out}. */
  private static FileResult split(InputFile file, int index, Writer out) throws IOException {
    int first = firstSignificantCharacter(file);
    if (first < 0) {
      throw new DataException(file.name() + " is empty, which is not JSON; " + FORMAT_HINT);
    }
    if (first == '[') {
      return splitArray(file, index, out);
    }
    if (first == '{') {
      return splitLines(file, index, out);
    }
    throw new DataException(
        file.name()
            + " is not a JSON file: it starts with '"
            + Character.toString(first)
            + "'; "
            + FORMAT_HINT);
  }

  private static int firstSignificantCharacter(InputFile file) {
    try (InputStream in = file.open()) {
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b == 0xEF || b == 0xBB || b == 0xBF || Character.isWhitespace(b)) {
          continue;
        }
        return b;
      }
      return -1;
    } catch (IOException e) {
      throw InputFile.unreadable(file.name(), e);
    }
  }

  private static FileResult splitLines(InputFile file, int index, Writer out) throws IOException {
    List<RejectedRecord> rejected = new ArrayList<>();
    long good = 0;
    long number = 0;
    try (InputStream in = file.open();
        BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(
                    in,
                    StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        String tooLong = tooLong(line);
        String problem = tooLong == null ? objectProblem(line) : tooLong;
        if (problem == null) {
          out.write("{\"f\":" + index + ",\"l\":" + number + ",\"r\":" + line + "}\n");
          good++;
        } else {
          rejected.add(
              new RejectedRecord(
                  file.name(),
                  number,
                  tooLong == null ? line : line.substring(0, MAX_SHOWN_CHARACTERS),
                  problem));
        }
      }
    } catch (CharacterCodingException e) {
      throw new DataException(
          file.name()
              + " line "
              + (number + 1)
              + " is not valid UTF-8 text; save the file as UTF-8",
          e);
    }
    return new FileResult(good, rejected);
  }

  /** Why a record is too long to be read, or null when it is not. */
  private static String tooLong(String record) {
    if (record.length() <= MAX_RECORD_BYTES / 3) {
      return null;
    }
    long bytes = record.getBytes(StandardCharsets.UTF_8).length;
    return bytes <= MAX_RECORD_BYTES
        ? null
        : "the record is longer than the maximum of "
            + MAX_RECORD_BYTES
            + " bytes ("
            + bytes
            + " bytes)";
  }

  /** Why a line is not one JSON object, or null when it is. */
  private static String objectProblem(String line) {
    try (JsonParser parser = FACTORY.createParser(line)) {
      JsonToken token = parser.nextToken();
      if (token != JsonToken.START_OBJECT) {
        return "the record is not a JSON object but " + kind(token);
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        return "unexpected text after the JSON object at column "
            + parser.currentTokenLocation().getColumnNr();
      }
      return null;
    } catch (JsonProcessingException e) {
      return "invalid JSON at column "
          + (e.getLocation() == null ? 0 : e.getLocation().getColumnNr())
          + ": "
          + problem(e, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FileResult splitArray(InputFile file, int index, Writer out) throws IOException {
    List<RejectedRecord> rejected = new ArrayList<>();
    long good = 0;
    long elementLine = -1;
    long elementOffset = -1;
    try (InputStream in = file.open();
        JsonParser parser = FACTORY.createParser(in)) {
      try {
        parser.nextToken();
        for (JsonToken token = parser.nextToken();
            token != JsonToken.END_ARRAY;
            token = parser.nextToken()) {
          if (token == null) {
            throw new DataException(
                file.name() + " ends inside the array; the closing ] is missing");
          }
          JsonLocation start = parser.currentTokenLocation();
          elementLine = start.getLineNr();
          elementOffset = start.getByteOffset();
          JsonNode node = MAPPER.readTree(parser);
          String text = node.isObject() ? MAPPER.writeValueAsString(node) : null;
          String tooLong = text == null ? null : tooLong(text);
          if (tooLong != null) {
            rejected.add(
                new RejectedRecord(
                    file.name(), elementLine, text.substring(0, MAX_SHOWN_CHARACTERS), tooLong));
          } else if (node.isObject()) {
            out.write("{\"f\":" + index + ",\"l\":" + elementLine + ",\"r\":");
            out.write(text);
            out.write("}\n");
            good++;
          } else {
            rejected.add(
                new RejectedRecord(
                    file.name(),
                    elementLine,
                    node.toString(),
                    "the record is not a JSON object but " + kind(node.asToken())));
          }
          elementOffset = -1;
        }
        if (parser.nextToken() != null) {
          JsonLocation after = parser.currentTokenLocation();
          rejected.add(
              new RejectedRecord(
                  file.name(),
                  after.getLineNr(),
                  rest(file, after.getByteOffset()),
                  "unexpected text after the closing ] of the array"));
        }
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        long line = elementOffset >= 0 ? elementLine : (at == null ? 0 : at.getLineNr());
        long offset = elementOffset >= 0 ? elementOffset : (at == null ? 0 : at.getByteOffset());
        rejected.add(
            new RejectedRecord(
                file.name(),
                line,
                rest(file, offset),
                "invalid JSON at line "
                    + (at == null ? line : at.getLineNr())
                    + ", column "
                    + (at == null ? 0 : at.getColumnNr())
                    + ": "
                    + problem(e, true)
                    + "; the rest of the file from this record on cannot be read"));
      }
    }
    return new FileResult(good, rejected);
  }

  /**
   * Jackson's description of a syntax error, without its notes about the (redacted) source.
   *
   * @param withLine whether to keep the line of an opening bracket (false when parsing one line)
   */
  static String problem(JsonProcessingException e, boolean withLine) {
    return START_MARKER
        .matcher(Sql.firstLine(e.getOriginalMessage()))
        .replaceAll(withLine ? " (opened at line $1, column $2)" : " (opened at column $2)");
  }

  /** The text of a file from a byte offset on, shortened to at most a mebibyte. */
  private static String rest(InputFile file, long offset) throws IOException {
    try (InputStream in = file.open()) {
      in.skipNBytes(Math.max(0, offset));
      byte[] bytes = in.readNBytes(MAX_RAW_CHARACTERS);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static String kind(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name().toLowerCase(Locale.ROOT);
    };
  }
}
