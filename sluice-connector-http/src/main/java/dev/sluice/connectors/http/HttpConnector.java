package dev.sluice.connectors.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} connector: reads the records of a JSON REST API, declared in the source file
 * rather than coded.
 *
 * <ul>
 *   <li>Requests: {@code url} with {@code query_params} and {@code headers}; authentication by
 *       bearer token, basic, an API key in a header or the query, or OAuth2 client credentials (see
 *       {@link OAuth2Tokens}). Secrets are given by reference and never appear in a log or a
 *       message.
 *   <li>Pages: {@link Pages}; records at {@code records_path} of each response.
 *   <li>Reliability: {@link HttpFetcher} limits the request rate and retries 429 and 5xx answers
 *       with backoff, honouring Retry-After; a source that keeps failing fails the load with a
 *       {@link TransientException} naming the source, host and status. Nothing of a failed load is
 *       committed: every page is read before anything is staged.
 *   <li>{@code mode: incremental} fills {@code {cursor}} with the greatest {@code cursor} value
 *       loaded so far (less {@code lookback}), committed as {@value #CURSOR_VALUE} in the same
 *       Iceberg commit as the data; with {@code primary_key} the rows are merged into the table.
 *   <li>Rows, columns and types: {@link RecordShaper} and {@link HttpStaging}.
 * </ul>
 */
public final class HttpConnector implements SourceConnector {
  /** The state key of the cursor field the last load used. */
  public static final String CURSOR_FIELD = "cursor.field";

  /** The state key of the greatest cursor value loaded, as the source wrote it. */
  public static final String CURSOR_VALUE = "cursor.value";

  private static final Logger LOG = LoggerFactory.getLogger(HttpConnector.class);
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .nodeFactory(new JsonNodeFactory(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final Clock clock;

  /** The connector as {@link java.util.ServiceLoader} makes it: on the system clock. */
  public HttpConnector() {
    this(Clock.systemUTC());
  }

  /** A connector that reads the time (token expiry, Retry-After dates) from {@code clock}. */
  HttpConnector(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String type() {
    return "http";
  }

  @Override
  public String description() {
    return "records of a JSON REST API: pagination, authentication, incremental cursors, retries";
  }

  @Override
  public List<ConnectorOption> options() {
    return HttpOptions.DECLARATIONS;
  }

  /** In {@code mode: incremental}, a load reads what is new since the last. */
  @Override
  public boolean incremental(ConnectorOptions options) {
    return "incremental".equals(options.choice(HttpOptions.MODE));
  }

  @Override
  public List<String> validate(ConnectorOptions options) {
    return HttpOptions.problems(options);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException for options that cannot work, refused credentials, or a request
   *     the source rejects (4xx)
   * @throws TransientException when the source cannot be reached or keeps answering 429 or 5xx
   * @throws DataException for a response that is not JSON or has no records where {@code
   *     records_path} says, and for a record that does not fit its columns when the table does not
   *     quarantine
   */
  @Override
  public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    requireNonNull(session, "session is null");
    String what = table.described();
    HttpOptions options = checkedOptions(table);
    HttpOptions.Incremental incremental = options.incremental();
    ReplayWindow replay = state.replay();
    if (replay != null) {
      checkReplay(options, what);
    }
    String previous =
        incremental.enabled() && incremental.cursor().equals(state.state().get(CURSOR_FIELD))
            ? state.state().get(CURSOR_VALUE)
            : null;
    // a replay reads its window whatever the last load read, without lookback
    String cursor =
        replay != null ? replay.from() : previous != null ? previous : incremental.cursorStart();
    if (replay == null && cursor != null && !incremental.lookback().isZero()) {
      String earlier = CursorValues.minus(cursor, incremental.lookback());
      if (earlier == null) {
        throw new InvalidInputException(
            "'lookback' of "
                + what
                + " needs a date or timestamp cursor, but the last value of '"
                + incremental.cursor()
                + "' is not one");
      }
      cursor = earlier;
    }
    RequestUrls urls = new RequestUrls(options);
    HttpFetcher fetcher = new HttpFetcher(options, urls, table.source(), clock);
    Pages pages =
        new Pages(options.pagination(), urls, cursor, replay == null ? null : replay.to());
    JsonPointer recordsPath = JsonPaths.pointer(options.recordsPath());
    try (HttpStaging staging =
        new HttpStaging(session, table, options, new RecordShaper(options), previous, replay)) {
      try {
        URI uri = pages.first();
        long page = 0;
        while (uri != null) {
          page++;
          if (page > options.pagination().maxPages()) {
            throw new DataException(
                what
                    + " has more than "
                    + options.pagination().maxPages()
                    + " pages; raise 'max_pages' if that is expected, or check the pagination"
                    + " options");
          }
          HttpResponse<byte[]> response = fetcher.get(uri);
          String shown = urls.display(uri);
          JsonNode body = parse(response, page, shown, what, options.secrets());
          JsonNode records = records(body, recordsPath, page, shown, what);
          staging.add(shown, records);
          uri = pages.next(uri, response, body, records.size()).orElse(null);
        }
        LOG.info(
            "Read {} records in {} pages of {} from {}",
            staging.records(),
            page,
            what,
            fetcher.host());
        if (replay != null && staging.outsideWindow() > 0) {
          LOG.info(
              "Replay of {} {}: skipped {} records outside the window",
              what,
              replay.describe(),
              staging.outsideWindow());
        }
        Map<String, String> newState =
            replay != null
                ? state.state()
                : !incremental.enabled()
                    ? Map.of()
                    : staging.greatestCursor() == null
                        ? Map.of(CURSOR_FIELD, incremental.cursor())
                        : Map.of(
                            CURSOR_FIELD,
                            incremental.cursor(),
                            CURSOR_VALUE,
                            staging.greatestCursor());
        StagedData.Write write =
            !incremental.enabled()
                ? StagedData.Write.replace()
                : incremental.primaryKey().isEmpty()
                    ? StagedData.Write.append()
                    : StagedData.Write.merge(incremental.primaryKey());
        return staging.finish(newState, write);
      } catch (RuntimeException e) {
        staging.dropAll();
        throw e;
      }
    }
  }

  /**
   * Replays a range of cursor values: {@code {cursor}} is filled with {@code --from} and {@code
   * {cursor_end}} with {@code --to}, and only records whose cursor lies in the window are merged.
   */
  @Override
  public boolean supportsReplay() {
    return true;
  }

  @Override
  public String replayWindowDescription() {
    return "values of the table's 'cursor' field (inclusive), e.g. --from 2026-01-01T00:00:00Z"
        + " --to 2026-01-31T23:59:59Z: {cursor} is sent as --from, {cursor_end} as --to, and the"
        + " records in the window are merged on 'primary_key'";
  }

  /**
   * The columns of the first page's records, shaped as a load shapes them (or the declared columns,
   * without a request); the primary key and cursor that the options name, and columns of date and
   * timestamp values as other cursor candidates.
   *
   * @throws InvalidInputException for options that cannot work, refused credentials, or a request
   *     the source rejects
   * @throws TransientException when the source cannot be reached or keeps failing
   * @throws DataException when the first page is not JSON or holds no records where {@code
   *     records_path} says
   */
  @Override
  public DiscoveredSchema discover(SourceTableSpec table) {
    requireNonNull(table, "table is null");
    String what = table.described();
    HttpOptions options = checkedOptions(table);
    HttpOptions.Incremental incremental = options.incremental();
    Schema schema;
    if (!table.columns().isEmpty()) {
      schema = HttpStaging.declaredSchema(table);
    } else {
      RequestUrls urls = new RequestUrls(options);
      HttpFetcher fetcher = new HttpFetcher(options, urls, table.source(), clock);
      URI uri = new Pages(options.pagination(), urls, incremental.cursorStart(), null).first();
      HttpResponse<byte[]> response = fetcher.get(uri);
      String shown = urls.display(uri);
      JsonNode records =
          records(
              parse(response, 1, shown, what, options.secrets()),
              JsonPaths.pointer(options.recordsPath()),
              1,
              shown,
              what);
      RecordShaper shaper = new RecordShaper(options);
      Map<String, JsonTypeInference> inferred = new LinkedHashMap<>();
      for (JsonNode record : records) {
        try {
          for (ObjectNode row : shaper.rows(record)) {
            JsonTypeInference.addFields(inferred, row);
          }
        } catch (JsonValues.Mismatch e) {
          LOG.debug("Discovery of {} skips a record that cannot be shaped: {}", what, e);
        }
      }
      schema = HttpStaging.inferredSchema(inferred);
    }
    List<String> primaryKey =
        incremental.primaryKey().stream().filter(key -> schema.findField(key) != null).toList();
    List<String> cursors = new ArrayList<>();
    if (incremental.enabled()) {
      String cursorColumn = String.join(options.separator(), JsonPaths.names(incremental.cursor()));
      if (schema.findField(cursorColumn) != null) {
        cursors.add(cursorColumn);
      }
    }
    for (Types.NestedField field : schema.columns()) {
      Type.TypeID type = field.type().typeId();
      if ((type == Type.TypeID.TIMESTAMP || type == Type.TypeID.DATE)
          && !cursors.contains(field.name())) {
        cursors.add(field.name());
      }
    }
    return new DiscoveredSchema(schema, primaryKey, cursors);
  }

  private HttpOptions checkedOptions(SourceTableSpec table) {
    List<String> columnProblems = new ArrayList<>();
    for (SourceTableSpec.Column column : table.columns()) {
      String problem = JsonValues.unsupported(column.type());
      if (problem != null) {
        columnProblems.add("column '" + column.name() + "': " + problem);
      }
    }
    return HttpOptions.of(ConnectorOptions.checked(this, table, columnProblems));
  }

  private static void checkReplay(HttpOptions options, String what) {
    if (!options.incremental().enabled() || options.incremental().primaryKey().isEmpty()) {
      throw new InvalidInputException(
          "Cannot replay "
              + what
              + ": a replay reads a range of cursor values again and merges the records on their"
              + " key, which needs 'mode: incremental' with a 'cursor' and a 'primary_key'");
    }
  }

  /** The page's JSON; a message about a page that is not JSON quotes it with secrets removed. */
  private static JsonNode parse(
      HttpResponse<byte[]> response, long page, String url, String what, Secrets secrets) {
    try {
      return MAPPER.readTree(response.body());
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new DataException(
          "Page "
              + pageOf(page, what, url)
              + " is not valid JSON"
              + where
              + ": "
              + secrets.redact(firstLine(e.getOriginalMessage()))
              + contentType(response));
    } catch (IOException e) {
      throw new TransientException(
          "Cannot read page " + pageOf(page, what, url) + ": " + secrets.redact(e.getMessage()));
    }
  }

  /** A page of a table's responses, as messages name it: {@code 3 of source.table (url)}. */
  private static String pageOf(long page, String what, String url) {
    return page + " of " + what + " (" + url + ")";
  }

  private static String contentType(HttpResponse<byte[]> response) {
    return response
        .headers()
        .firstValue("Content-Type")
        .map(type -> " (the response's Content-Type is " + type + ")")
        .orElse("");
  }

  private static JsonNode records(
      JsonNode body, JsonPointer path, long page, String url, String what) {
    JsonNode records = body == null ? null : body.at(path);
    if (records == null || records.isMissingNode()) {
      List<String> fields = new ArrayList<>();
      if (body != null && body.isObject()) {
        body.fieldNames().forEachRemaining(fields::add);
      }
      throw new DataException(
          "Page "
              + pageOf(page, what, url)
              + " has no records at records_path '"
              + path
              + "'"
              + (fields.isEmpty()
                  ? ""
                  : "; the response's top-level fields are " + String.join(", ", fields)));
    }
    if (records.isNull()) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (!records.isArray()) {
      throw new DataException(
          "Page "
              + pageOf(page, what, url)
              + " holds "
              + RecordShaper.kind(records)
              + " at records_path '"
              + path
              + "', not an array of records; set 'records_path' to the array");
    }
    return records;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown error";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
