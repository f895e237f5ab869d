package dev.sluice.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.StringJoiner;

/**
 * Paths into JSON documents as users write them: a JSON pointer ({@code /data/items}, RFC 6901) or
 * a dotted path ({@code data.items}), both read as a Jackson {@link JsonPointer}.
 */
final class JsonPaths {
  private JsonPaths() {}

  /**
   * The pointer a path stands for; null or empty text is the document itself.
   *
   * @throws IllegalArgumentException for a malformed pointer, with Jackson's reason
   */
  static JsonPointer pointer(String path) {
    if (path == null || path.isBlank() || path.strip().equals("/") || path.strip().equals(".")) {
      return JsonPointer.empty();
    }
    String text = path.strip();
    if (text.startsWith("/")) {
      return JsonPointer.compile(text);
    }
    StringJoiner pointer = new StringJoiner("/", "/", "");
    for (String part : text.split("\\.", -1)) {
      pointer.add(part.replace("~", "~0").replace("/", "~1"));
    }
    return JsonPointer.compile(pointer.toString());
  }

  /** The names along a path, e.g. {@code [meta, updated]} for {@code meta.updated}. */
  static java.util.List<String> names(String path) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (JsonPointer p = pointer(path); !p.matches(); p = p.tail()) {
      names.add(p.getMatchingProperty());
    }
    return names;
  }
}
