package dev.sluice.server.api;

import dev.sluice.api.InvalidInputException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offset pagination of a list endpoint: {@code ?limit=N&offset=M} (default limit {@value
 * #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}); the answer holds {@code items}, {@code limit},
 * {@code offset} and {@code next}, the offset of the next page or null after the last.
 */
public record Page(int limit, int offset) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;

  /**
   * The page a request asks for.
   *
   * @throws InvalidInputException for a limit or offset that is not a whole number in range
   */
  public static Page of(Context ctx) {
    int limit = number(ctx, "limit", DEFAULT_LIMIT);
    int offset = number(ctx, "offset", 0);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidInputException(
          "limit must be between 1 and " + MAX_LIMIT + ", got " + limit + ": ask e.g. ?limit=50");
    }
    if (offset < 0) {
      throw new InvalidInputException("offset must be 0 or more, got " + offset);
    }
    return new Page(limit, offset);
  }

  /**
   * The answer for this page of {@code fetched}, which holds the items from this page's offset on:
   * at most {@code limit + 1} of them, the extra one telling that a next page exists.
   */
  public <T> Map<String, Object> answer(List<T> fetched) {
    boolean more = fetched.size() > limit;
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("items", more ? fetched.subList(0, limit) : fetched);
    answer.put("limit", limit);
    answer.put("offset", offset);
    answer.put("next", more ? offset + limit : null);
    return answer;
  }

  /** This page of a whole list. */
  public <T> Map<String, Object> slice(List<T> all) {
    int from = Math.min(offset, all.size());
    int to = Math.min(all.size(), from + limit + 1);
    return answer(all.subList(from, to));
  }

  private static int number(Context ctx, String name, int defaultValue) {
    String text = ctx.queryParam(name);
    if (text == null || text.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          name
              + " must be a whole number, got '"
              + text
              + "': ask e.g. ?"
              + name
              + "="
              + defaultValue);
    }
  }
}
