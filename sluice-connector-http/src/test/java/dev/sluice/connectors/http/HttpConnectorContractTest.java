package dev.sluice.connectors.http;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.connector.testkit.ConnectorContractTest;
import dev.sluice.connector.testkit.ConnectorFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The connector contract, kept by the http connector against a real local HTTP server. */
class HttpConnectorContractTest extends ConnectorContractTest {
  @Override
  protected SourceConnector connector() {
    return new HttpConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    try {
      return new HttpFixture(new TestApi());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An API whose {@code /items} answers the items with an id greater than {@code after_id}, two per
   * page, with a {@code next} cursor; incremental loads use {@code id} as cursor.
   */
  static final class HttpFixture implements ConnectorFixture {
    private final TestApi api;
    private final List<String> items = new ArrayList<>();

    HttpFixture(TestApi api) {
      this.api = api;
      api.route(
          "/items",
          request -> {
            long after = Long.parseLong(request.query().getOrDefault("after_id", "0"));
            int from = Integer.parseInt(request.query().getOrDefault("from", "0"));
            List<String> page = new ArrayList<>();
            int position = 0;
            int next = -1;
            synchronized (items) {
              for (String item : items) {
                long id = idOf(item);
                if (id > after || id < 0) {
                  if (position >= from && page.size() < 2) {
                    page.add(item);
                  } else if (position >= from && next < 0) {
                    next = position;
                  }
                  position++;
                }
              }
            }
            return TestApi.Response.json(
                "{\"items\":["
                    + String.join(",", page)
                    + "],\"next\":"
                    + (next < 0 ? "null" : "\"" + next + "\"")
                    + "}");
          });
    }

    private static long idOf(String item) {
      int start = item.indexOf("\"id\":") + 5;
      int end = item.indexOf(',', start);
      String id = item.substring(start, end);
      return id.startsWith("\"") ? -1 : Long.parseLong(id);
    }

    @Override
    public void addRows(long fromId, long toId) {
      synchronized (items) {
        for (long id = fromId; id <= toId; id++) {
          items.add("{\"id\":" + id + ",\"name\":\"name-" + id + "\",\"tags\":[1,2]}");
        }
      }
    }

    /** An id that is a word, in a column of whole numbers. */
    @Override
    public void addBadRecord() {
      synchronized (items) {
        items.add("{\"id\":\"nine-nine-nine\",\"name\":\"name-999\",\"tags\":[]}");
      }
    }

    @Override
    public SourceTableSpec table(boolean incremental, boolean quarantine) {
      Map<String, String> options = new LinkedHashMap<>();
      if (incremental) {
        options.put("mode", "incremental");
        options.put("cursor", "id");
        options.put("query_params", "after_id={cursor}");
        options.put("primary_key", "id");
      }
      return spec(options, quarantine);
    }

    /** {@code {cursor}} is sent as after_id, which reads past it: from 0 covers every id. */
    @Override
    public ReplayWindow windowCoveringAllRows() {
      return new ReplayWindow("0", null);
    }

    @Override
    public SourceTableSpec tableWithInvalidOptions() {
      return spec(Map.of("pagination", "offset"), false);
    }

    private SourceTableSpec spec(Map<String, String> extra, boolean quarantine) {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("url", api.url() + "/items");
      options.put("records_path", "items");
      options.put("pagination", "cursor");
      options.put("next_path", "next");
      options.put("next_cursor_param", "from");
      options.putAll(extra);
      return new SourceTableSpec(
          "shop", "items", Path.of("."), extra.containsKey("mode"), quarantine, options, List.of());
    }

    @Override
    public void close() {
      api.close();
    }
  }
}
