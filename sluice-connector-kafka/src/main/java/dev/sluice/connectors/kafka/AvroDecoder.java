package dev.sluice.connectors.kafka;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.SourceTableSpec;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Avro binary message values (or keys) into JSON text ({@link AvroJson}), which the rest of
 * the load treats like a JSON message. Two encodings:
 *
 * <ul>
 *   <li>with a schema registry, the Confluent wire format: magic byte 0, the writer schema's id (4
 *       bytes, big-endian), then the Avro binary of the datum; the schema is fetched by id;
 *   <li>with a schema file ({@code .avsc}), plain Avro binary written with that schema.
 * </ul>
 *
 * A value that cannot be decoded (another magic byte, an unknown id, truncated or trailing bytes)
 * gets a problem, never an exception: its record is quarantined. The writer schemas seen are kept,
 * by id, so that the columns of a load can be derived from them ({@link AvroColumns}).
 */
final class AvroDecoder {
  /** The id under which the schema of a schema file is kept. */
  static final int FILE_SCHEMA = -1;

  private static final byte MAGIC = 0;
  private static final int HEADER = 5;

  private final SchemaRegistry registry;
  private final Schema fileSchema;
  private final boolean recordsOnly;
  private final String separator;
  private final Map<Integer, Schema> seen = new TreeMap<>();
  private BinaryDecoder reuse;

  private AvroDecoder(
      SchemaRegistry registry, Schema fileSchema, boolean recordsOnly, String separator) {
    this.registry = registry;
    this.fileSchema = fileSchema;
    this.recordsOnly = recordsOnly;
    this.separator = separator;
    if (fileSchema != null) {
      seen.put(FILE_SCHEMA, fileSchema);
    }
  }

  /**
   * A decoder of the Confluent wire format.
   *
   * @param recordsOnly whether a datum must be a record (values, which become columns)
   * @param separator the separator of flattened names ({@code nested: flatten}), or null
   */
  static AvroDecoder registry(SchemaRegistry registry, boolean recordsOnly, String separator) {
    return new AvroDecoder(
        requireNonNull(registry, "registry is null"), null, recordsOnly, separator);
  }

  /** A decoder of plain Avro binary written with {@code schema}. */
  static AvroDecoder plain(Schema schema, boolean recordsOnly, String separator) {
    return new AvroDecoder(null, requireNonNull(schema, "schema is null"), recordsOnly, separator);
  }

  /**
   * The decoder of a table's values or keys, or null when they are not Avro.
   *
   * @param registry the table's schema registry client, or null when it has none
   * @throws InvalidInputException when the schema file cannot be read or is not an Avro schema
   */
  static AvroDecoder of(
      KafkaOptions options, SourceTableSpec spec, boolean keys, SchemaRegistry registry) {
    if (!(keys ? options.avroKeys() : options.avroValues())) {
      return null;
    }
    if (registry != null) {
      return registry(registry, !keys, keys ? null : options.flattenSeparator());
    }
    String file = keys ? options.keySchema() : options.valueSchema();
    return plain(
        schemaFile(spec, file, keys ? "key_schema" : "value_schema"),
        !keys,
        keys ? null : options.flattenSeparator());
  }

  /**
   * Reads an Avro schema file of the project.
   *
   * @param option the option that names it, for messages
   * @throws InvalidInputException when the file cannot be read or is not an Avro schema
   */
  static Schema schemaFile(SourceTableSpec spec, String file, String option) {
    Path path = spec.projectDirectory().resolve(file);
    String schemaFile =
        "The Avro schema file "
            + path
            + " ('"
            + option
            + "' of source table '"
            + spec.source()
            + "."
            + spec.table()
            + "')";
    try {
      return new Schema.Parser().parse(path.toFile());
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new InvalidInputException(
          schemaFile + " does not exist; check the path, which is relative to the project");
    } catch (IOException | SchemaParseException e) {
      throw new InvalidInputException(
          schemaFile + " is not a valid Avro schema: " + e.getMessage());
    }
  }

  /** The JSON text of a decoded value, or why it cannot be decoded. */
  record Decoded(String json, Object datum, String problem) {
    static Decoded problem(String problem) {
      return new Decoded(null, null, problem);
    }
  }

  /**
   * Decodes one value.
   *
   * @throws dev.sluice.api.TransientException when the registry cannot be reached
   * @throws dev.sluice.api.InvalidInputException when the registry refuses the credentials
   */
  Decoded decode(byte[] bytes) {
    Schema schema;
    int offset;
    int id;
    if (registry != null) {
      if (bytes.length < HEADER) {
        return Decoded.problem(
            "truncated: "
                + bytes.length
                + " bytes, fewer than the Confluent wire format's 5-byte header (magic byte 0 and"
                + " a 4-byte schema id)");
      }
      if (bytes[0] != MAGIC) {
        return Decoded.problem(
            "the first byte is "
                + (bytes[0] & 0xff)
                + ", not the Confluent wire format's magic byte 0; was the message written"
                + " without the schema registry's serializer?");
      }
      id =
          ((bytes[1] & 0xff) << 24)
              | ((bytes[2] & 0xff) << 16)
              | ((bytes[3] & 0xff) << 8)
              | (bytes[4] & 0xff);
      SchemaRegistry.Lookup lookup = registry.schema(id);
      if (lookup.problem() != null) {
        return Decoded.problem(lookup.problem());
      }
      schema = lookup.schema();
      offset = HEADER;
    } else {
      id = FILE_SCHEMA;
      schema = fileSchema;
      offset = 0;
    }
    String which = id == FILE_SCHEMA ? "the schema file" : "schema id " + id;
    if (recordsOnly && schema.getType() != Schema.Type.RECORD) {
      return Decoded.problem(
          which + " is " + schema.getType().getName() + ", not a record, so it has no columns");
    }
    Object datum;
    String json;
    try {
      reuse = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, reuse);
      datum = new GenericDatumReader<>(schema).read(null, reuse);
      if (!reuse.isEnd()) {
        return Decoded.problem(
            "bytes left over after the Avro datum of "
                + which
                + "; was it written with another schema?");
      }
      json = AvroJson.write(datum, schema, separator);
    } catch (EOFException e) {
      return Decoded.problem(
          "truncated: the Avro datum of " + which + " ends before its last field");
    } catch (IOException | RuntimeException e) {
      return Decoded.problem("not valid Avro binary of " + which + ": " + e.getMessage());
    }
    seen.putIfAbsent(id, schema);
    return new Decoded(json, datum, null);
  }

  /** The separator of flattened names, or null when records stay structs. */
  String separator() {
    return separator;
  }

  /** The writer schemas of the values decoded so far (and the schema file's), by id. */
  Map<Integer, Schema> schemasSeen() {
    return seen;
  }
}
