package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** How records become rows: types, mismatches, nested objects, arrays and child tables. */
class HttpRecordsTest extends HttpConnectorTestBase {
  private static final String NESTED =
      """
      [{"id": 1, "placed_at": "2024-01-01T10:00:00Z", "paid": true,
        "customer": {"name": "Ada", "address": {"city": "London"}},
        "tags": ["vip", "new"],
        "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}]},
       {"id": 2, "placed_at": "2024-01-02T11:30:00+01:00", "paid": false,
        "customer": {"name": "Grace", "address": {"city": null}},
        "tags": [],
        "lines": [{"sku": "C-3", "qty": 5}]}]
      """;

  private String columns(String relation) {
    Schema schema = session.describe("SELECT * FROM " + relation);
    return String.join(
        ", ", schema.columns().stream().map(f -> f.name() + " " + f.type()).toList());
  }

  @Test
  void nestedObjectsAreFlattenedIntoColumnsAndTypesInferred() {
    api.route("/orders", request -> TestApi.Response.json(NESTED));
    StagedData staged = stage(options("url", api.url() + "/orders"));
    assertThat(columns(staged.relation()))
        .startsWith(
            "id long, placed_at timestamptz, paid boolean, customer_name string,"
                + " customer_address_city string, tags list<string>, lines list<struct<")
        .contains("sku: optional string", "qty: optional long");
    assertThat(
            rows(
                "SELECT id, customer_name, customer_address_city, tags, lines[1].sku,"
                    + " CAST(placed_at AS VARCHAR) FROM "
                    + staged.relation()
                    + " ORDER BY id"))
        .containsExactly(
            List.of("1", "Ada", "London", "[vip, new]", "A-1", "2024-01-01 10:00:00+00"),
            List.of("2", "Grace", "null", "[]", "C-3", "2024-01-02 10:30:00+00"));
  }

  @Test
  void nestedObjectsCanStayStructs() {
    api.route("/orders", request -> TestApi.Response.json(NESTED));
    StagedData staged = stage(options("url", api.url() + "/orders", "nested", "struct"));
    assertThat(columns(staged.relation()))
        .startsWith("id long, placed_at timestamptz, paid boolean, customer struct<")
        .contains("name: optional string", "address: optional struct<");
    assertThat(
            rows(
                "SELECT customer.name, customer.address.city FROM "
                    + staged.relation()
                    + " ORDER BY id"))
        .containsExactly(List.of("Ada", "London"), List.of("Grace", "null"));
  }

  @Test
  void childTableHasOneRowPerArrayElementWithTheParentKey() {
    api.route("/orders", request -> TestApi.Response.json(NESTED));
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "child_path",
                "lines",
                "parent_key",
                "id",
                "primary_key",
                "parent_id,sku"));
    assertThat(columns(staged.relation())).isEqualTo("parent_id long, sku string, qty long");
    assertThat(rows("SELECT * FROM " + staged.relation() + " ORDER BY parent_id, sku"))
        .containsExactly(
            List.of("1", "A-1", "2"), List.of("1", "B-2", "1"), List.of("2", "C-3", "5"));
  }

  @Test
  void typeMismatchIsQuarantinedWithAReason() {
    api.route(
        "/orders",
        request ->
            TestApi.Response.json(
                """
                [{"id": 1, "amount": 10.5},
                 {"id": 2, "amount": "n/a"},
                 {"id": 3, "amount": 7},
                 {"id": true, "amount": 1},
                 "not an object"]
                """));
    SourceTableSpec table = spec(options("url", api.url() + "/orders"), true, List.of());
    StagedData staged = connector.stage(table, LoadState.empty(), session);
    assertThat(rows("SELECT id, amount FROM " + staged.relation() + " ORDER BY id"))
        .containsExactly(List.of("1", "10.5"), List.of("3", "7.0"));
    assertThat(staged.rejectedRows()).isEqualTo(3);
    assertThat(
            rows(
                "SELECT _source_file, _line, _raw_record, _reason FROM "
                    + staged.rejectedRelation()
                    + " ORDER BY _line"))
        .containsExactly(
            List.of(
                api.url() + "/orders",
                "2",
                "{\"id\":2,\"amount\":\"n/a\"}",
                "column \"amount\": \"n/a\" is not a valid DOUBLE"),
            List.of(
                api.url() + "/orders",
                "4",
                "{\"id\":true,\"amount\":1}",
                "column \"id\": true is not a valid BIGINT"),
            List.of(
                api.url() + "/orders",
                "5",
                "\"not an object\"",
                "the record is not a JSON object but a string"));
  }

  @Test
  void typeMismatchFailsTheLoadNamingRecordAndFieldWhenTheTableDoesNotQuarantine() {
    api.route(
        "/orders",
        request ->
            TestApi.Response.json(
                "[{\"id\": 1, \"amount\": 10.5}, {\"id\": 2, \"amount\": \"n/a\"}]"));
    assertThatThrownBy(() -> stage(options("url", api.url() + "/orders")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Record 2 of page 1 (" + api.url() + "/orders)")
        .hasMessageContaining("source table 'shop.orders'")
        .hasMessageContaining("column \"amount\": \"n/a\" is not a valid DOUBLE")
        .hasMessageContaining("on_error: quarantine");
  }

  @Test
  void declaredColumnsGiveTheTypesAndMismatchesAreQuarantined() {
    api.route(
        "/orders",
        request ->
            TestApi.Response.json(
                """
                [{"id": "1", "amount": "12.50", "day": "2024-03-01", "extra": 1},
                 {"id": 2, "amount": 3, "day": "yesterday"}]
                """));
    SourceTableSpec table =
        spec(
            options("url", api.url() + "/orders"),
            true,
            List.of(
                new SourceTableSpec.Column("id", Types.IntegerType.get()),
                new SourceTableSpec.Column("amount", Types.DecimalType.of(10, 2)),
                new SourceTableSpec.Column("day", Types.DateType.get())));
    StagedData staged = connector.stage(table, LoadState.empty(), session);
    assertThat(columns(staged.relation())).isEqualTo("id int, amount decimal(10, 2), day date");
    assertThat(rows("SELECT * FROM " + staged.relation()))
        .containsExactly(List.of("1", "12.50", "2024-03-01"));
    assertThat(rows("SELECT _reason FROM " + staged.rejectedRelation()))
        .containsExactly(List.of("column \"day\": \"yesterday\" is not a valid DATE"));
  }

  @Test
  void malformedJsonFailsNamingThePageAndItsUrl() {
    api.route(
        "/orders",
        request ->
            "2".equals(request.query().get("page"))
                ? TestApi.Response.json("[{\"id\": 3, \"status\": \"new\"")
                : TestApi.Response.json(orders(1, 2)));
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/orders",
                        "pagination",
                        "page_number",
                        "page_size",
                        "2")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Page 2 of source table 'shop.orders'")
        .hasMessageContaining("(" + api.url() + "/orders?page=2) is not valid JSON")
        .hasMessageContaining("line 1");
    assertThat(rows("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stage_shop%'"))
        .containsExactly(List.of("0"));
  }
}
