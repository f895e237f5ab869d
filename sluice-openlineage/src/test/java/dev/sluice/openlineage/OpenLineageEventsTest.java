package dev.sluice.openlineage;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real projects (DuckDB, Iceberg, SQLite) with {@code openlineage:} in sluice.yaml and reads
 * what was sent: through the file transport, and through the HTTP transport to a real HTTP server.
 * Every event is validated against OpenLineage's JSON schema and each facet against its own.
 */
class OpenLineageEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private void writeShop(String openLineage) throws IOException {
    write(project, "sluice.yaml", "name: shop\n" + openLineage);
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n1,Ann,ANN@x.org,DE\n2,Bob,bob@y.org,FR\n3,Cy,cy@z.org,DE\n");
    write(
        project,
        "seeds/sales.csv",
        "order_id,customer_id,amount\n10,1,100\n11,2,50\n12,3,30\n13,1,20\n");
    write(
        project,
        "models/curated/customer_sales.sql",
        "select p.id, lower(p.email) as email, sum(s.amount) as total\n"
            + "from {{ ref('people') }} p join {{ ref('sales') }} s on s.customer_id = p.id\n"
            + "where p.country = 'DE'\n"
            + "group by p.id, p.email\n");
    write(
        project,
        "models/curated/models.yaml",
        "models:\n"
            + "  - name: customer_sales\n"
            + "    columns:\n"
            + "      - name: id\n"
            + "        checks: [not_null, unique]\n"
            + "    checks:\n"
            + "      - row_count: {min: 100, severity: warn}\n");
  }

  private RunResult run() {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }

  private List<JsonNode> fileEvents() throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(project.resolve("lineage/events.jsonl"))) {
      if (!line.isBlank()) {
        events.add(JSON.readTree(line));
      }
    }
    return events;
  }

  private static void assertValid(List<JsonNode> events) {
    assertThat(events).isNotEmpty();
    for (JsonNode event : events) {
      assertThat(OpenLineageSchema.problems(event)).as(event.toString()).isEmpty();
    }
  }

  private static List<JsonNode> of(List<JsonNode> events, String job) {
    return events.stream()
        .filter(event -> event.path("job").path("name").asText().equals(job))
        .toList();
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(event -> event.path("eventType").asText()).toList();
  }

  @Test
  void eachStepSendsAStartAndACompleteWithSchemaColumnLineageStatisticsAndChecks()
      throws IOException {
    writeShop("openlineage:\n  transport: {type: file, path: lineage/events.jsonl}\n");
    RunResult result = run();
    assertThat(result.succeeded()).as(result.toString()).isTrue();

    List<JsonNode> events = fileEvents();
    assertValid(events);

    List<JsonNode> runEvents = of(events, "shop");
    assertThat(types(runEvents)).containsExactly("START", "COMPLETE");
    String runUuid = runEvents.get(0).path("run").path("runId").asText();
    assertThat(runEvents.get(1).path("run").path("runId").asText()).isEqualTo(runUuid);

    for (String seed : List.of("people", "sales")) {
      List<JsonNode> seedEvents = of(events, seed);
      assertThat(types(seedEvents)).containsExactly("START", "COMPLETE");
      JsonNode input = seedEvents.get(0).path("inputs").get(0);
      assertThat(input.path("namespace").asText()).isEqualTo("file");
      assertThat(input.path("name").asText()).endsWith("seeds/" + seed + ".csv");
    }

    List<JsonNode> model = of(events, "customer_sales");
    assertThat(types(model)).containsExactly("START", "COMPLETE");
    JsonNode complete = model.get(1);
    JsonNode parent = complete.path("run").path("facets").path("parent");
    assertThat(parent.path("run").path("runId").asText()).isEqualTo(runUuid);
    assertThat(parent.path("job").path("name").asText()).isEqualTo("shop");
    assertThat(complete.path("job").path("facets").path("jobType").path("jobType").asText())
        .isEqualTo("MODEL");

    String warehouse = project.resolve("warehouse").toUri().toString().replaceAll("/$", "");
    assertThat(names(complete.path("inputs")))
        .containsExactlyInAnyOrder("curated.people", "curated.sales");
    assertThat(complete.path("inputs").get(0).path("namespace").asText()).isEqualTo(warehouse);

    JsonNode output = complete.path("outputs").get(0);
    assertThat(output.path("namespace").asText()).isEqualTo(warehouse);
    assertThat(output.path("name").asText()).isEqualTo("curated.customer_sales");
    assertThat(
            StreamSupport.stream(
                    output.path("facets").path("schema").path("fields").spliterator(), false)
                .map(field -> field.path("name").asText()))
        .containsExactly("id", "email", "total");
    JsonNode statistics = output.path("outputFacets").path("outputStatistics");
    assertThat(statistics.path("rowCount").asLong()).isEqualTo(2);
    assertThat(statistics.path("size").asLong()).isPositive();

    JsonNode fields = output.path("facets").path("columnLineage").path("fields");
    JsonNode email = fields.path("email").path("inputFields").get(0);
    assertThat(email.path("name").asText()).isEqualTo("curated.people");
    assertThat(email.path("field").asText()).isEqualTo("email");
    assertThat(email.path("transformations").get(0).path("type").asText()).isEqualTo("DIRECT");
    assertThat(email.path("transformations").get(0).path("subtype").asText())
        .isEqualTo("TRANSFORMATION");
    JsonNode id = fields.path("id").path("inputFields").get(0);
    assertThat(id.path("transformations").get(0).path("subtype").asText()).isEqualTo("IDENTITY");
    JsonNode total = fields.path("total").path("inputFields").get(0);
    assertThat(total.path("name").asText()).isEqualTo("curated.sales");
    assertThat(total.path("transformations").get(0).path("subtype").asText())
        .isEqualTo("AGGREGATION");
    List<String> indirect = new ArrayList<>();
    for (JsonNode field : output.path("facets").path("columnLineage").path("dataset")) {
      indirect.add(
          field.path("name").asText()
              + "."
              + field.path("field").asText()
              + ":"
              + field.path("transformations").get(0).path("subtype").asText());
    }
    assertThat(indirect)
        .contains(
            "curated.people.country:FILTER",
            "curated.sales.customer_id:JOIN",
            "curated.people.id:JOIN");

    // the checks ran on the data before it was published: a child job of the step whose input
    // (the checked table) carries the assertions; a failed warn check does not fail it
    List<JsonNode> checks = of(events, "customer_sales.checks");
    assertThat(types(checks)).containsExactly("START", "COMPLETE");
    JsonNode checked = checks.get(1).path("inputs").get(0);
    assertThat(checked.path("name").asText()).isEqualTo("curated.customer_sales");
    List<String> assertions = new ArrayList<>();
    for (JsonNode assertion :
        checked.path("inputFacets").path("dataQualityAssertions").path("assertions")) {
      assertions.add(assertion.path("assertion").asText() + "=" + assertion.path("success"));
    }
    assertThat(assertions)
        .containsExactlyInAnyOrder("not_null(id)=true", "unique(id)=true", "row_count=false");
    assertThat(
            checks
                .get(1)
                .path("run")
                .path("facets")
                .path("parent")
                .path("run")
                .path("runId")
                .asText())
        .isEqualTo(complete.path("run").path("runId").asText());
  }

  @Test
  void aFailedStepSendsFailWithItsErrorAndASkippedStepSendsNothing() throws IOException {
    writeShop("openlineage:\n  transport: {type: file, path: lineage/events.jsonl}\n");
    write(
        project,
        "models/curated/broken.sql",
        "select no_such_column from {{ ref('customer_sales') }}\n");
    write(project, "models/published/after_broken.sql", "select * from {{ ref('broken') }}\n");
    RunResult result = run();
    assertThat(result.succeeded()).isFalse();

    List<JsonNode> events = fileEvents();
    assertValid(events);
    List<JsonNode> broken = of(events, "broken");
    assertThat(types(broken)).containsExactly("START", "FAIL");
    JsonNode error = broken.get(1).path("run").path("facets").path("errorMessage");
    assertThat(error.path("message").asText()).contains("no_such_column");
    assertThat(error.path("programmingLanguage").asText()).isEqualTo("SQL");
    assertThat(broken.get(1).path("outputs").get(0).path("outputFacets").isMissingNode()).isTrue();
    assertThat(of(events, "after_broken")).isEmpty();
    List<JsonNode> runEvents = of(events, "shop");
    assertThat(types(runEvents)).containsExactly("START", "FAIL");
    assertThat(
            runEvents
                .get(1)
                .path("run")
                .path("facets")
                .path("errorMessage")
                .path("message")
                .asText())
        .isEqualTo("1 step(s) failed");
  }

  @Test
  void theHttpTransportPostsEachEventWithTheApiKeyAsABearerToken() throws IOException {
    List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/lineage",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            received.add(JSON.readTree(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
          }
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    server.start();
    try {
      write(project, "ol.key", "key-from-a-file\n");
      writeShop(
          "openlineage:\n"
              + "  namespace: analytics\n"
              + "  transport:\n"
              + "    type: http\n"
              + "    url: http://127.0.0.1:"
              + server.getAddress().getPort()
              + "\n"
              + "    api_key: ${file:ol.key}\n");
      RunResult result = run();
      assertThat(result.succeeded()).as(result.toString()).isTrue();
    } finally {
      server.stop(0);
    }
    assertValid(received);
    // the run, two seeds and a model: a start and an end each; the model's checks: two more
    assertThat(received).hasSize(10);
    assertThat(authorizations).containsOnly("Bearer key-from-a-file");
    assertThat(received)
        .allSatisfy(
            event ->
                assertThat(event.path("job").path("namespace").asText()).isEqualTo("analytics"));
  }

  @Test
  void anUnreachableLineageServerDoesNotFailTheRun() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    writeShop(
        "openlineage:\n  transport:\n    type: http\n    url: http://127.0.0.1:"
            + closedPort
            + "\n    timeout: 1\n");
    RunResult result = run();
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  private static List<String> names(JsonNode datasets) {
    List<String> names = new ArrayList<>();
    datasets.forEach(dataset -> names.add(dataset.path("name").asText()));
    return names;
  }
}
