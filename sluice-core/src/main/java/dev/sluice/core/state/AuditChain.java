package dev.sluice.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sluice.api.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The canonical encoding of audit records and their hashes. A record's hash is SHA-256 over a JSON
 * array of a version tag and every stored field in a fixed order (sequence, time in epoch
 * milliseconds, principal, action, tables and columns as JSON arrays, the details as canonical
 * JSON, the previous record's hash). JSON's escaping makes the encoding unambiguous; details are
 * canonical (object keys sorted, no spaces), so the same facts always hash alike.
 */
final class AuditChain {
  /** The previous hash of the first record. */
  static final String GENESIS = "0".repeat(64);

  private static final String VERSION = "sluice-audit-1";
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private AuditChain() {}

  /**
   * The details as canonical JSON, with secrets masked: every string value through {@code secrets},
   * and the value of every key named like a secret ({@code password}, {@code token}, ...) replaced
   * by {@link Secrets#MASK}.
   */
  static String canonicalDetails(Map<String, Object> details, Secrets secrets) {
    JsonNode tree = CANONICAL.valueToTree(details);
    JsonNode redacted = redact(tree, secrets);
    try {
      // through a map, so that ORDER_MAP_ENTRIES_BY_KEYS sorts the keys at every level
      Object sorted = CANONICAL.treeToValue(redacted, Object.class);
      return CANONICAL.writeValueAsString(sorted);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Audit details cannot be written as JSON: " + e, e);
    }
  }

  private static JsonNode redact(JsonNode node, Secrets secrets) {
    if (node.isTextual()) {
      return TextNode.valueOf(secrets.redact(node.textValue()));
    }
    if (node.isArray()) {
      ArrayNode copy = CANONICAL.createArrayNode();
      node.forEach(element -> copy.add(redact(element, secrets)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = CANONICAL.createObjectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        copy.set(
            field.getKey(),
            Secrets.isSecretName(field.getKey())
                ? TextNode.valueOf(Secrets.MASK)
                : redact(field.getValue(), secrets));
      }
      return copy;
    }
    return node;
  }

  /** The hash a record must carry: SHA-256 (hex) of its canonical encoding. */
  static String hash(
      long sequence,
      long atMillis,
      String principal,
      String action,
      String tables,
      String columns,
      String details,
      String previousHash) {
    List<Object> fields = new ArrayList<>();
    fields.add(VERSION);
    fields.add(sequence);
    fields.add(atMillis);
    fields.add(principal);
    fields.add(action);
    fields.add(tables);
    fields.add(columns);
    fields.add(details);
    fields.add(previousHash);
    try {
      byte[] encoding = CANONICAL.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoding));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode an audit record", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256", e);
    }
  }

  /** A list of table or column names as stored and hashed: a JSON array. */
  static String names(List<String> names) {
    try {
      return CANONICAL.writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode a list of names", e);
    }
  }

  /** The names of a stored JSON array. */
  static List<String> namesOf(String json) throws JsonProcessingException {
    return List.of(CANONICAL.readValue(json, String[].class));
  }

  /** The hash of a stored record, recomputed from its fields. */
  static String hashOf(AuditRecord record) {
    return hash(
        record.sequence(),
        record.at().toEpochMilli(),
        record.principal(),
        record.action().name(),
        names(record.tables()),
        names(record.columns()),
        record.details(),
        record.previousHash());
  }
}
