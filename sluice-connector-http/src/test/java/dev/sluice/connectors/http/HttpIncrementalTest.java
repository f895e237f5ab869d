package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * Incremental loads: {@code {cursor}} is filled from the greatest cursor value committed by the
 * last load (less the lookback), the new greatest value is returned as state, and records read
 * again are merged on the primary key.
 */
class HttpIncrementalTest extends HttpConnectorTestBase {
  /** The source's orders, as {@code [id, status, updated_at]}. */
  private final List<String[]> orders = new ArrayList<>();

  private void serveOrdersUpdatedSince() {
    api.route(
        "/orders",
        request -> {
          String since = request.query().get("updated_since");
          StringBuilder json = new StringBuilder("{\"data\":[");
          int count = 0;
          for (String[] order : orders) {
            if (since == null
                || !OffsetDateTime.parse(order[2]).isBefore(OffsetDateTime.parse(since))) {
              json.append(count++ == 0 ? "" : ",")
                  .append("{\"id\":")
                  .append(order[0])
                  .append(",\"status\":\"")
                  .append(order[1])
                  .append("\",\"meta\":{\"updated_at\":\"")
                  .append(order[2])
                  .append("\"}}");
            }
          }
          return TestApi.Response.json(json.append("]}").toString());
        });
  }

  private Map<String, String> incremental(String... more) {
    Map<String, String> options =
        options(
            "url", api.url() + "/orders?updated_since={cursor}&sort=updated_at",
            "records_path", "data",
            "mode", "incremental",
            "cursor", "meta.updated_at",
            "primary_key", "id");
    options.putAll(options(more));
    return options;
  }

  @Test
  void cursorIsCommittedAsStateAndTheNextLoadResumesFromIt() {
    orders.add(new String[] {"1", "new", "2024-01-01T10:00:00Z"});
    orders.add(new String[] {"2", "new", "2024-01-01T11:00:00Z"});
    orders.add(new String[] {"3", "new", "2024-01-01T09:00:00Z"});
    serveOrdersUpdatedSince();
    SourceTableSpec table = spec(incremental());

    StagedData first = connector.stage(table, LoadState.empty(), session);
    assertThat(first.rows()).isEqualTo(3);
    assertThat(first.state())
        .isEqualTo(
            Map.of(
                HttpConnector.CURSOR_FIELD, "meta.updated_at",
                HttpConnector.CURSOR_VALUE, "2024-01-01T11:00:00Z"));
    assertThat(first.write()).isEqualTo(StagedData.Write.merge(List.of("id")));
    // before any load, the parameter that uses {cursor} is left out
    assertThat(api.requests("/orders").get(0).query())
        .doesNotContainKey("updated_since")
        .containsEntry("sort", "updated_at");

    orders.set(0, new String[] {"1", "paid", "2024-01-01T12:00:00Z"});
    orders.add(new String[] {"4", "new", "2024-01-01T12:30:00+00:00"});
    StagedData second = connector.stage(table, new LoadState(Map.of(), first.state()), session);
    assertThat(api.requests("/orders").get(1).query())
        .containsEntry("updated_since", "2024-01-01T11:00:00Z");
    // order 2 is read again (its cursor equals the last value); merging it changes nothing
    assertThat(rows("SELECT id, status FROM " + second.relation() + " ORDER BY id"))
        .containsExactly(List.of("1", "paid"), List.of("2", "new"), List.of("4", "new"));
    assertThat(second.state())
        .containsEntry(HttpConnector.CURSOR_VALUE, "2024-01-01T12:30:00+00:00");

    StagedData third = connector.stage(table, new LoadState(Map.of(), second.state()), session);
    assertThat(third.rows()).isEqualTo(1);
    assertThat(third.state()).isEqualTo(second.state());
  }

  @Test
  void replayReadsAWindowOfCursorValuesAgainAndMergesIt() {
    orders.add(new String[] {"1", "new", "2024-01-01T09:00:00Z"});
    orders.add(new String[] {"2", "new", "2024-01-01T10:00:00Z"});
    orders.add(new String[] {"3", "new", "2024-01-01T11:00:00Z"});
    orders.add(new String[] {"4", "new", "2024-01-01T12:00:00Z"});
    serveOrdersUpdatedSince();
    SourceTableSpec table =
        spec(incremental("query_params", "updated_until={cursor_end}", "lookback", "1h"));
    StagedData first = connector.stage(table, LoadState.empty(), session);
    LoadState loaded = new LoadState(Map.of(), first.state());

    ReplayWindow window = new ReplayWindow("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z");
    StagedData replay = connector.stage(table, loaded.withReplay(window), session);
    // {cursor} is the window's start (no lookback), {cursor_end} its end
    assertThat(api.requests("/orders").get(1).query())
        .containsEntry("updated_since", "2024-01-01T10:00:00Z")
        .containsEntry("updated_until", "2024-01-01T11:00:00Z");
    // the source ignores updated_until: the records past the window are left out here
    assertThat(rows("SELECT id FROM " + replay.relation() + " ORDER BY id"))
        .containsExactly(List.of("2"), List.of("3"));
    assertThat(replay.write()).isEqualTo(StagedData.Write.merge(List.of("id")));
    assertThat(replay.state()).as("a replay does not move the cursor").isEqualTo(first.state());

    // an open window reads to the newest record, and leaves {cursor_end} out
    StagedData open =
        connector.stage(
            table, loaded.withReplay(new ReplayWindow("2024-01-01T11:00:00Z", null)), session);
    assertThat(api.requests("/orders").get(2).query()).doesNotContainKey("updated_until");
    assertThat(rows("SELECT id FROM " + open.relation() + " ORDER BY id"))
        .containsExactly(List.of("3"), List.of("4"));

    StagedData empty =
        connector.stage(
            table,
            loaded.withReplay(new ReplayWindow("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")),
            session);
    assertThat(empty.nothingNew()).isTrue();
    assertThat(empty.state()).isEqualTo(first.state());
  }

  @Test
  void replayNeedsACursorAndAPrimaryKey() {
    serveOrdersUpdatedSince();
    Map<String, String> withoutKey = incremental();
    withoutKey.remove("primary_key");
    LoadState replay = LoadState.empty().withReplay(new ReplayWindow("2024-01-01", null));
    assertThatThrownBy(() -> connector.stage(spec(withoutKey), replay, session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Cannot replay source table 'shop.orders'")
        .hasMessageContaining("'primary_key'");
    assertThat(api.requests("/orders")).isEmpty();
  }

  @Test
  void discoveryInfersTheColumnsOfTheFirstPageWithoutStaging() {
    orders.add(new String[] {"1", "new", "2024-01-01T09:00:00Z"});
    orders.add(new String[] {"2", "paid", "2024-01-01T10:00:00Z"});
    serveOrdersUpdatedSince();
    DiscoveredSchema discovered = connector.discover(spec(incremental()));
    assertThat(discovered.columnNames()).containsExactly("id", "status", "meta_updated_at");
    assertThat(discovered.schema().findType("id")).isEqualTo(Types.LongType.get());
    assertThat(discovered.schema().findType("meta_updated_at"))
        .isEqualTo(Types.TimestampType.withZone());
    assertThat(discovered.primaryKey()).containsExactly("id");
    assertThat(discovered.cursorCandidates()).containsExactly("meta_updated_at");
    assertThat(api.requests("/orders")).hasSize(1);
  }

  @Test
  void lookbackStartsEarlierAndCursorStartServesTheFirstLoad() {
    orders.add(new String[] {"1", "new", "2024-01-01T10:00:00Z"});
    orders.add(new String[] {"2", "new", "2024-01-02T10:00:00Z"});
    serveOrdersUpdatedSince();
    SourceTableSpec table =
        spec(incremental("lookback", "2h", "cursor_start", "2024-01-02T00:00:00Z"));
    StagedData first = connector.stage(table, LoadState.empty(), session);
    assertThat(api.requests("/orders").get(0).query())
        .containsEntry("updated_since", "2024-01-01T22:00:00Z");
    assertThat(rows("SELECT id FROM " + first.relation())).containsExactly(List.of("2"));

    connector.stage(table, new LoadState(Map.of(), first.state()), session);
    assertThat(api.requests("/orders").get(1).query())
        .containsEntry("updated_since", "2024-01-02T08:00:00Z");
  }

  @Test
  void nothingNewKeepsTheState() {
    serveOrdersUpdatedSince();
    SourceTableSpec table = spec(incremental());
    Map<String, String> state =
        Map.of(
            HttpConnector.CURSOR_FIELD, "meta.updated_at",
            HttpConnector.CURSOR_VALUE, "2024-05-01T00:00:00Z");
    StagedData staged = connector.stage(table, new LoadState(Map.of(), state), session);
    assertThat(staged.nothingNew()).isTrue();
    assertThat(staged.state()).isEqualTo(state);
  }

  @Test
  void numericCursorWithoutPrimaryKeyAppends() {
    api.route(
        "/events",
        request -> {
          int after = Integer.parseInt(request.query().getOrDefault("after_id", "0"));
          return TestApi.Response.json(after >= 5 ? "[]" : orders(after + 1, 5));
        });
    SourceTableSpec table =
        spec(
            options(
                "url",
                api.url() + "/events",
                "query_params",
                "after_id={cursor}",
                "mode",
                "incremental",
                "cursor",
                "id"));
    StagedData first = connector.stage(table, LoadState.empty(), session);
    assertThat(first.write()).isEqualTo(StagedData.Write.append());
    assertThat(first.state()).containsEntry(HttpConnector.CURSOR_VALUE, "5");
    StagedData second = connector.stage(table, new LoadState(Map.of(), first.state()), session);
    assertThat(second.nothingNew()).isTrue();
    assertThat(api.requests("/events").get(1).query()).containsEntry("after_id", "5");
  }

  @Test
  void lookbackNeedsATemporalCursor() {
    api.route("/events", request -> TestApi.Response.json("[]"));
    SourceTableSpec table =
        spec(
            options(
                "url",
                api.url() + "/events?after={cursor}",
                "mode",
                "incremental",
                "cursor",
                "id",
                "lookback",
                "1h",
                "primary_key",
                "id"));
    assertThatThrownBy(
            () ->
                connector.stage(
                    table,
                    new LoadState(
                        Map.of(),
                        Map.of(HttpConnector.CURSOR_FIELD, "id", HttpConnector.CURSOR_VALUE, "42")),
                    session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'lookback' of source table 'shop.orders' needs a date or timestamp");
  }
}
