package dev.sluice.server.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sluice.api.InvalidInputException;
import io.javalin.json.JsonMapper;
import java.lang.reflect.Type;
import java.util.Optional;

/**
 * The API's JSON: Jackson, with times as ISO-8601 text. A body that is not JSON is refused with
 * Jackson's reason and position, never its class names or a stack trace.
 */
public final class Json implements JsonMapper {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @Override
  public String toJsonString(Object value, Type type) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "Cannot write a response as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The request body as a JSON object.
   *
   * @throws InvalidInputException for an empty body, a body that is not JSON, or not an object
   */
  public static JsonNode object(String body, String example) {
    if (body == null || body.isBlank()) {
      throw new InvalidInputException(
          "The request has no body: send a JSON object such as " + example);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidInputException(
          "The request body is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ": "
              + e.getOriginalMessage()
              + "; send a JSON object such as "
              + example);
    }
    if (!node.isObject()) {
      throw new InvalidInputException(
          "The request body must be a JSON object, got "
              + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + "; send e.g. "
              + example);
    }
    return node;
  }

  /**
   * A text field of a JSON object.
   *
   * @throws InvalidInputException when it is missing or not text
   */
  public static String requiredText(JsonNode object, String field, String example) {
    return optionalText(object, field, example)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "The request body has no '" + field + "': send e.g. " + example));
  }

  /** Text that holds JSON as a JSON tree, or the text itself when it is not JSON. */
  static Object parseOrText(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return text;
    }
  }

  /** A text field of a JSON object, if present. */
  public static Optional<String> optionalText(JsonNode object, String field, String example) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new InvalidInputException(
          "'"
              + field
              + "' must be text, got "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + ": send e.g. "
              + example);
    }
    return Optional.of(value.asText());
  }
}
