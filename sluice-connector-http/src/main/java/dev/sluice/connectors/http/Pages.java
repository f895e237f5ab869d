package dev.sluice.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks the pages of a collection in one of the pagination styles: page numbers, offset and limit,
 * a cursor in the body, a next URL in the body, or a {@code Link} header with {@code rel="next"}
 * (RFC 8288). Page-number and offset collections end at an empty page, or one shorter than {@code
 * page_size}; the others when the source gives no next cursor or link.
 */
final class Pages {
  /** One link of a Link header: the target in angle brackets, then its parameters. */
  private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]+)*)");

  private static final Pattern REL =
      Pattern.compile("(?i)(?:^|;)\\s*rel\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;]+))");

  private final HttpOptions.Pagination pagination;
  private final RequestUrls urls;
  private final String cursor;
  private final String cursorEnd;
  private final JsonPointer next;
  private long page;
  private long offset;
  private String lastCursor;

  /**
   * @param cursor the value of {@code {cursor}} for the first request, or null
   * @param cursorEnd the value of {@code {cursor_end}} (a replay's last value), or null
   */
  Pages(HttpOptions.Pagination pagination, RequestUrls urls, String cursor, String cursorEnd) {
    this.pagination = pagination;
    this.urls = urls;
    this.cursor = cursor;
    this.cursorEnd = cursorEnd;
    this.next = pagination.nextPath() == null ? null : JsonPaths.pointer(pagination.nextPath());
    this.page = pagination.firstPage();
  }

  /** The first request's URL. */
  URI first() {
    return urls.first(cursor, cursorEnd, paging(null));
  }

  /** The pagination parameters of the current page. */
  private Map<String, String> paging(String nextCursor) {
    Map<String, String> params = new LinkedHashMap<>();
    Long size = pagination.pageSize();
    switch (pagination.style()) {
      case "page_number" -> {
        params.put(pagination.pageParam(), Long.toString(page));
        if (size != null && pagination.pageSizeParam() != null) {
          params.put(pagination.pageSizeParam(), Long.toString(size));
        }
      }
      case "offset" -> {
        params.put(pagination.offsetParam(), Long.toString(offset));
        params.put(pagination.limitParam(), Long.toString(size));
      }
      case "cursor" -> {
        if (size != null && pagination.pageSizeParam() != null) {
          params.put(pagination.pageSizeParam(), Long.toString(size));
        }
        if (nextCursor != null) {
          params.put(pagination.nextCursorParam(), nextCursor);
        }
      }
      default -> {}
    }
    return params;
  }

  /**
   * The URL of the page after {@code current}, or empty when it was the last.
   *
   * @param records how many records the page held
   */
  Optional<URI> next(URI current, HttpResponse<?> response, JsonNode body, int records) {
    Long size = pagination.pageSize();
    switch (pagination.style()) {
      case "page_number" -> {
        if (records == 0 || (size != null && records < size)) {
          return Optional.empty();
        }
        page++;
        return Optional.of(urls.first(cursor, cursorEnd, paging(null)));
      }
      case "offset" -> {
        if (records == 0 || records < size) {
          return Optional.empty();
        }
        offset += records;
        return Optional.of(urls.first(cursor, cursorEnd, paging(null)));
      }
      case "cursor" -> {
        String value = text(body.at(next));
        if (value == null || value.equals(lastCursor)) {
          return Optional.empty();
        }
        lastCursor = value;
        return Optional.of(urls.first(cursor, cursorEnd, paging(value)));
      }
      case "next_url" -> {
        String value = text(body.at(next));
        return value == null ? Optional.empty() : Optional.of(urls.follow(current, value));
      }
      case "link_header" -> {
        return nextLink(response.headers().allValues("Link"))
            .map(link -> urls.follow(current, link));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /** The target of the link with {@code rel="next"} among Link header values, if any. */
  static Optional<String> nextLink(List<String> headers) {
    for (String header : headers) {
      Matcher link = LINK.matcher(header);
      while (link.find()) {
        Matcher rel = REL.matcher(link.group(2));
        while (rel.find()) {
          String relations = rel.group(1) != null ? rel.group(1) : rel.group(2);
          for (String relation : relations.strip().split("\\s+", -1)) {
            if (relation.equalsIgnoreCase("next")) {
              return Optional.of(link.group(1));
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A cursor or link value as text; null for a missing, null or empty value. */
  private static String text(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull() || node.isContainerNode()) {
      return null;
    }
    String text = node.asText();
    return text.isEmpty() ? null : text;
  }
}
