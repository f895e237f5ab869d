package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice access request|approve|deny|list|report} through the command line, with the time of
 * each command set by its clock: a grant holds until the clock passes its end.
 */
class AccessRequestCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private final Instant start = Instant.now();

  private InProcessCli.Result sluice(Duration later, String... args) {
    return InProcessCli.sluice(Clock.fixed(start.plus(later), ZoneOffset.UTC), project, args);
  }

  private InProcessCli.Result sluice(String... args) {
    return sluice(Duration.ZERO, args);
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: governed\n");
    write(
        project,
        "seeds/people.csv",
        "id,email,country\n1,alice.secret@mail.com,DE\n2,bob.hidden@mail.com,FR\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        project,
        "models/published/models.yaml",
        """
        models:
          - name: customers
            owner: olga
            columns:
              - {name: id, classification: [subject.customer_id]}
              - {name: email, classification: [pii.email]}
        """);
    write(
        project,
        "policies.yaml",
        """
        users:
          - name: analyst
            roles: [analyst]
            attributes: {country: DE}
          - name: olga
          - name: nobody
        roles:
          - name: analyst
        grants:
          - role: analyst
            privileges: [read]
            on: published.*
        masks:
          - column: published.customers.email
            mask: email_domain
        row_filters:
          - table: published.customers
            roles: [analyst]
            where: country = principal.country
        """);
    InProcessCli.Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isZero();
  }

  @Test
  void requestApproveQueryAndExpiry() throws IOException {
    String select = "select * from published.customers order by id";
    InProcessCli.Result asked =
        sluice(
            "access",
            "request",
            "published.customers",
            "--reason",
            "fraud review",
            "--for",
            "2d",
            "--as",
            "nobody");
    assertThat(asked.code()).as(asked.err()).isZero();
    assertThat(asked.out())
        .contains("access request 1: nobody asks to read published.customers for 2d");
    assertThat(asked.err()).contains("sluice access approve 1");

    assertThat(sluice("query", "--as", "nobody", select).code()).isEqualTo(ExitCodes.ACCESS_DENIED);

    InProcessCli.Result own = sluice("access", "approve", "1", "--as", "nobody");
    assertThat(own.code()).isEqualTo(ExitCodes.ACCESS_DENIED);
    assertThat(own.err()).contains("nobody may not approve access request 1: it is nobody's own");

    InProcessCli.Result noRight = sluice("access", "approve", "1", "--as", "analyst");
    assertThat(noRight.code()).isEqualTo(ExitCodes.ACCESS_DENIED);
    assertThat(noRight.err())
        .contains("only its owner (olga) or a principal whose role holds grant or admin on it");

    InProcessCli.Result approved =
        sluice(Duration.ofMinutes(5), "access", "approve", "1", "--as", "olga");
    assertThat(approved.code()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("access request 1 approved by olga: nobody reads");

    InProcessCli.Result seen =
        sluice(Duration.ofHours(1), "query", "--as", "nobody", "--format", "csv", select);
    assertThat(seen.code()).as(seen.err()).isZero();
    assertThat(seen.out())
        .contains("1,\"***@mail.com\",DE", "2,\"***@mail.com\",FR")
        .doesNotContain("alice.secret", "bob.hidden");

    InProcessCli.Result listed = sluice(Duration.ofHours(1), "--json", "access", "list");
    JsonNode requests = JSON.readTree(listed.out());
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).get("status").asText()).isEqualTo("approved");
    assertThat(requests.get(0).get("decidedBy").asText()).isEqualTo("olga");
    assertThat(requests.get(0).get("reason").asText()).isEqualTo("fraud review");
    assertThat(sluice("access", "list", "--status", "pending").err())
        .contains("No pending access requests.");

    Duration afterTheEnd = Duration.ofDays(2).plusMinutes(5);
    InProcessCli.Result expired = sluice(afterTheEnd, "query", "--as", "nobody", select);
    assertThat(expired.code()).isEqualTo(ExitCodes.ACCESS_DENIED);
    assertThat(expired.err()).contains("nobody may not read published.customers");
    InProcessCli.Result expiredList =
        sluice(afterTheEnd, "--json", "access", "list", "--status", "expired");
    assertThat(JSON.readTree(expiredList.out()).get(0).get("id").asLong()).isEqualTo(1);

    InProcessCli.Result decisions = sluice("audit", "--action", "access_decision");
    assertThat(decisions.out()).contains("access_decision", "olga", "published.customers");
    assertThat(sluice("audit", "--action", "access_request").out()).contains("nobody");
    InProcessCli.Result verify = sluice(afterTheEnd, "audit", "verify");
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
  }

  @Test
  void denyAndBadInputAreClearErrors() {
    InProcessCli.Result asked =
        sluice(
            "access",
            "request",
            "published.customers",
            "--columns",
            "id,email",
            "--reason",
            "support ticket 12",
            "--as",
            "nobody");
    assertThat(asked.code()).as(asked.err()).isZero();
    assertThat(asked.out()).contains("published.customers (id, email) for 30d");
    InProcessCli.Result denied =
        sluice("access", "deny", "1", "--as", "olga", "--reason", "use the support view");
    assertThat(denied.code()).as(denied.err()).isZero();
    assertThat(denied.out()).contains("access request 1 denied by olga");
    InProcessCli.Result again = sluice("access", "approve", "1", "--as", "olga");
    assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("Access request 1 was denied already, by olga");

    InProcessCli.Result unknownId = sluice("access", "approve", "99", "--as", "olga");
    assertThat(unknownId.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknownId.err()).contains("No access request 99: the requests are numbered 1 to 1");

    InProcessCli.Result badPeriod =
        sluice(
            "access",
            "request",
            "published.customers",
            "--reason",
            "x",
            "--for",
            "3x",
            "--as",
            "nobody");
    assertThat(badPeriod.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badPeriod.err()).contains("--for '3x' is not a period: write e.g. 30d, 12h or 90m");

    InProcessCli.Result badTable =
        sluice("access", "request", "published.custmers", "--reason", "x", "--as", "nobody");
    assertThat(badTable.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badTable.err())
        .contains("Unknown table 'published.custmers': did you mean published.customers?");

    InProcessCli.Result badColumn =
        sluice(
            "access",
            "request",
            "published.customers",
            "--columns",
            "emial",
            "--reason",
            "x",
            "--as",
            "nobody");
    assertThat(badColumn.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badColumn.err())
        .contains("Unknown column 'emial' of published.customers: did you mean email?");

    InProcessCli.Result noReason =
        sluice("access", "request", "published.customers", "--as", "nobody");
    assertThat(noReason.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noReason.err()).contains("--reason");

    InProcessCli.Result badStatus = sluice("access", "list", "--status", "done");
    assertThat(badStatus.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badStatus.err())
        .contains("Unknown access request status 'done': use pending, approved, denied or expired");
  }

  @Test
  void theReportInTextAndJson() throws IOException {
    InProcessCli.Result text = sluice("access", "report");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).contains("published.customers", "olga", "2/3", "country");
    assertThat(text.err()).contains("access policy compliance");

    InProcessCli.Result json = sluice("--json", "access", "report");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode report = JSON.readTree(json.out());
    assertThat(report.get("summary").get("tables").asInt()).isEqualTo(2);
    JsonNode customers = null;
    for (JsonNode table : report.get("tables")) {
      if (table.get("table").asText().equals("published.customers")) {
        customers = table;
      }
    }
    assertThat(customers).as(json.out()).isNotNull();
    assertThat(customers.get("owner").asText()).isEqualTo("olga");
    assertThat(customers.get("columns")).hasSize(3);
    assertThat(customers.get("columns").get(2).get("name").asText()).isEqualTo("country");
    assertThat(customers.get("columns").get(2).get("classified").asBoolean()).isFalse();
    assertThat(customers.get("columns").get(1).get("tags").get(0).asText()).isEqualTo("pii.email");
    assertThat(customers.get("findings")).isEmpty();
    assertThat(customers.get("compliant").asBoolean()).isFalse();
  }
}
