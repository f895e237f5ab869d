package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.StagedData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every pagination style, and the record selector, against a server with seven orders. */
class HttpPaginationTest extends HttpConnectorTestBase {
  private static final int TOTAL = 7;

  private List<String> ids(StagedData staged) {
    return rows("SELECT id FROM " + staged.relation() + " ORDER BY id").stream()
        .map(row -> row.get(0))
        .toList();
  }

  private static final List<String> ALL = List.of("1", "2", "3", "4", "5", "6", "7");

  @Test
  void pageNumbersUntilAShortPage() {
    api.route(
        "/orders",
        request -> {
          int page = Integer.parseInt(request.query().get("page"));
          int size = Integer.parseInt(request.query().get("per_page"));
          int first = (page - 1) * size + 1;
          return TestApi.Response.json(
              "{\"data\":" + orders(first, Math.min(TOTAL, first + size - 1)) + "}");
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "records_path",
                "data",
                "pagination",
                "page_number",
                "page_size",
                "3",
                "page_size_param",
                "per_page"));
    assertThat(ids(staged)).isEqualTo(ALL);
    assertThat(api.requests("/orders"))
        .extracting(request -> request.query().get("page"))
        .containsExactly("1", "2", "3");
  }

  @Test
  void pageNumbersWithoutPageSizeUntilAnEmptyPageStartingAtZero() {
    api.route(
        "/orders",
        request -> {
          int page = Integer.parseInt(request.query().get("p"));
          return TestApi.Response.json(page < 2 ? orders(page * 4 + 1, page * 4 + 4) : "[]");
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "pagination",
                "page_number",
                "page_param",
                "p",
                "first_page",
                "0"));
    assertThat(staged.rows()).isEqualTo(8);
    assertThat(api.requests("/orders")).hasSize(3);
  }

  @Test
  void offsetAndLimit() {
    api.route(
        "/orders",
        request -> {
          int offset = Integer.parseInt(request.query().get("skip"));
          int limit = Integer.parseInt(request.query().get("take"));
          return TestApi.Response.json(
              offset >= TOTAL ? "[]" : orders(offset + 1, Math.min(TOTAL, offset + limit)));
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "pagination",
                "offset",
                "page_size",
                "2",
                "offset_param",
                "skip",
                "limit_param",
                "take"));
    assertThat(ids(staged)).isEqualTo(ALL);
    assertThat(api.requests("/orders"))
        .extracting(request -> request.query().get("skip"))
        .containsExactly("0", "2", "4", "6");
  }

  @Test
  void cursorInTheBody() {
    api.route(
        "/orders",
        request -> {
          String after = request.query().get("after");
          int first = after == null ? 1 : Integer.parseInt(after.substring(2)) + 1;
          int last = Math.min(TOTAL, first + 2);
          String next = last < TOTAL ? "\"c-" + last + "\"" : "null";
          return TestApi.Response.json(
              "{\"items\":" + orders(first, last) + ",\"meta\":{\"next_cursor\":" + next + "}}");
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "records_path",
                "/items",
                "pagination",
                "cursor",
                "next_path",
                "meta.next_cursor",
                "next_cursor_param",
                "after"));
    assertThat(ids(staged)).isEqualTo(ALL);
    assertThat(api.requests("/orders"))
        .extracting(request -> request.query().get("after"))
        .containsExactly(null, "c-3", "c-6");
  }

  @Test
  void nextUrlInTheBody() {
    api.route(
        "/orders",
        request -> {
          int page = Integer.parseInt(request.query().getOrDefault("page", "1"));
          String next = page < 3 ? "\"/orders?page=" + (page + 1) + "\"" : "null";
          int first = (page - 1) * 3 + 1;
          return TestApi.Response.json(
              "{\"results\":"
                  + orders(first, Math.min(TOTAL, first + 2))
                  + ",\"next\":"
                  + next
                  + "}");
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "records_path",
                "results",
                "pagination",
                "next_url",
                "next_path",
                "next"));
    assertThat(ids(staged)).isEqualTo(ALL);
  }

  @Test
  void linkHeaderWithRelNext() {
    api.route(
        "/orders",
        request -> {
          int page = Integer.parseInt(request.query().getOrDefault("page", "1"));
          int first = (page - 1) * 3 + 1;
          TestApi.Response response =
              TestApi.Response.json(orders(first, Math.min(TOTAL, first + 2)));
          String links = "<" + api.url() + "/orders?page=1>; rel=\"first\"";
          if (page < 3) {
            links +=
                ", <" + api.url() + "/orders?page=" + (page + 1) + ">; rel=\"next\"; title=\"a,b\"";
          }
          return response.withHeader("Link", links);
        });
    StagedData staged = stage(options("url", api.url() + "/orders", "pagination", "link_header"));
    assertThat(ids(staged)).isEqualTo(ALL);
    assertThat(api.requests("/orders")).hasSize(3);
  }

  @Test
  void aNextLinkToAnotherHostIsRefused() {
    api.route(
        "/orders",
        request ->
            TestApi.Response.json(orders(1, 2))
                .withHeader("Link", "<http://example.invalid/steal>; rel=\"next\""));
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/orders",
                        "pagination",
                        "link_header",
                        "auth",
                        "bearer",
                        "token",
                        "tok")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("leads to another host (http://example.invalid)");
  }

  @Test
  void aCollectionThatNeverEndsFailsAtMaxPages() {
    api.route("/orders", request -> TestApi.Response.json(orders(1, 2)));
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/orders",
                        "pagination",
                        "page_number",
                        "max_pages",
                        "4")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("more than 4 pages")
        .hasMessageContaining("max_pages");
  }

  @Test
  void recordSelectorThatFindsNothingNamesTheFieldsThereAre() {
    api.route("/orders", request -> TestApi.Response.json("{\"data\":[],\"total\":0}"));
    assertThatThrownBy(() -> stage(options("url", api.url() + "/orders", "records_path", "items")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("has no records at records_path '/items'")
        .hasMessageContaining("top-level fields are data, total")
        .hasMessageContaining(api.url() + "/orders");
    api.route("/one", request -> TestApi.Response.json("{\"data\":{\"id\":1}}"));
    assertThatThrownBy(() -> stage(options("url", api.url() + "/one", "records_path", "data")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("holds an object at records_path '/data', not an array");
  }

  @Test
  void templatedQueryParamsAndHeadersAreSent() {
    api.route("/orders", request -> TestApi.Response.json(orders(1, 1)));
    stage(
        Map.of(
            "url", api.url() + "/orders?status=open%20now",
            "query_params", "fields=id,expand=customer",
            "headers", "X-Tenant: acme"));
    TestApi.Request request = api.requests("/orders").get(0);
    assertThat(request.query())
        .containsEntry("status", "open now")
        .containsEntry("fields", "id")
        .containsEntry("expand", "customer");
    assertThat(request.header("X-Tenant")).isEqualTo("acme");
  }
}
