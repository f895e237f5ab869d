package dev.sluice.connectors.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Checks that a message value is one JSON object in UTF-8, and says why when it is not. */
final class JsonRecords {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private JsonRecords() {}

  /** A value read as text, or why it cannot be. */
  record Decoded(String text, String problem) {}

  /** Decodes a value as UTF-8; invalid bytes make it a problem (with the text shown leniently). */
  static Decoded decode(byte[] value) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
      return new Decoded(text, null);
    } catch (CharacterCodingException e) {
      return new Decoded(
          new String(value, StandardCharsets.UTF_8),
          "the value is not UTF-8 text, so it cannot be JSON");
    }
  }

  /** Why a text is not one JSON object, or null when it is. */
  static String objectProblem(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken token = parser.nextToken();
      if (token != JsonToken.START_OBJECT) {
        return "the value is not a JSON object but " + kind(token);
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        return "unexpected text after the JSON object at line "
            + parser.currentTokenLocation().getLineNr()
            + ", column "
            + parser.currentTokenLocation().getColumnNr();
      }
      return null;
    } catch (JsonProcessingException e) {
      return "invalid JSON at line "
          + (e.getLocation() == null ? 0 : e.getLocation().getLineNr())
          + ", column "
          + (e.getLocation() == null ? 0 : e.getLocation().getColumnNr())
          + ": "
          + firstLine(e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String kind(JsonToken token) {
    if (token == null) {
      return "empty";
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
