package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice audit} and {@code sluice audit verify} on a project's real state database. */
class AuditCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: audited\n");
    write(project, "seeds/countries.csv", "code,name\nDE,Germany\nFR,France\n");
    write(project, "models/published/names.sql", "select name from {{ ref('countries') }}\n");
  }

  @Test
  void listsRunsAndCommitsFilteredAndAsJson() throws IOException {
    assertThat(sluice("run").code()).isZero();

    InProcessCli.Result all = sluice("--json", "audit");
    assertThat(all.code()).as(all.err()).isZero();
    JsonNode records = JSON.readTree(all.out());
    assertThat(records).hasSizeGreaterThanOrEqualTo(4);
    assertThat(records.get(0).get("action").asText()).isEqualTo("run");
    assertThat(records.get(0).get("details").get("event").asText()).isEqualTo("started");
    assertThat(records.get(records.size() - 1).get("details").get("status").asText())
        .isEqualTo("succeeded");
    assertThat(records.get(1).get("sequence").asLong()).isEqualTo(2);
    assertThat(records.get(1).get("previous_hash").asText())
        .isEqualTo(records.get(0).get("hash").asText());

    InProcessCli.Result names = sluice("--json", "audit", "--table", "published.names");
    JsonNode commits = JSON.readTree(names.out());
    assertThat(commits).isNotEmpty();
    assertThat(commits)
        .allSatisfy(
            commit -> {
              assertThat(commit.get("action").asText()).isEqualTo("commit");
              assertThat(commit.get("tables").get(0).asText()).isEqualTo("published.names");
              assertThat(commit.get("details").get("snapshot_id").asLong()).isPositive();
            });

    InProcessCli.Result table = sluice("audit", "--action", "commit", "--since", "1d");
    assertThat(table.code()).isZero();
    assertThat(table.out()).contains("seq", "commit", "published.names").doesNotContain("| run ");

    InProcessCli.Result nobody = sluice("audit", "--principal", "nobody-at-all");
    assertThat(nobody.code()).isZero();
    assertThat(nobody.out()).isEmpty();
    assertThat(nobody.err()).contains("No audit records match");

    InProcessCli.Result future = sluice("--json", "audit", "--since", "2999-01-01");
    assertThat(JSON.readTree(future.out())).isEmpty();
  }

  @Test
  void badFiltersGetClearErrors() {
    InProcessCli.Result since = sluice("audit", "--since", "last tuesday");
    assertThat(since.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(since.err()).contains("--since 'last tuesday' is not a date, a time or an age");

    InProcessCli.Result action = sluice("audit", "--action", "reed");
    assertThat(action.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(action.err()).contains("Unknown audit action 'reed'", "query", "refused");
  }

  @Test
  void verifyNamesTheFirstTamperedRecordAndExitsWithFive() throws Exception {
    assertThat(sluice("run").code()).isZero();
    InProcessCli.Result intact = sluice("audit", "verify");
    assertThat(intact.code()).as(intact.err()).isZero();
    assertThat(intact.out()).startsWith("intact: ");

    tamper("UPDATE sluice_audit SET details = '{\"event\":\"nothing\"}' WHERE sequence = 2");

    InProcessCli.Result broken = sluice("audit", "verify");
    assertThat(broken.code()).isEqualTo(ExitCodes.AUDIT_BROKEN);
    assertThat(broken.out()).contains("broken at record 2: record 2 was changed");
    assertThat(broken.err()).contains("The audit log was tampered with");

    InProcessCli.Result json = sluice("--json", "audit", "verify");
    assertThat(json.code()).isEqualTo(ExitCodes.AUDIT_BROKEN);
    JsonNode document = JSON.readTree(json.out());
    assertThat(document.get("intact").asBoolean()).isFalse();
    assertThat(document.get("firstBadRecord").asLong()).isEqualTo(2);
    assertThat(document.get("exitCode").asInt()).isEqualTo(ExitCodes.AUDIT_BROKEN);
  }

  @Test
  void sinceTakesDatesTimesAndAges() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    assertThat(AuditCommand.parseSince("2026-12-01", clock))
        .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(AuditCommand.parseSince("2026-12-01T08:30:00Z", clock))
        .isEqualTo(Instant.parse("2026-12-01T08:30:00Z"));
    assertThat(AuditCommand.parseSince("7d", clock))
        .isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
    assertThat(AuditCommand.parseSince("90m", clock))
        .isEqualTo(Instant.parse("2026-12-06T08:30:00Z"));
  }

  private void tamper(String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + project.resolve(".sluice/state.db").toAbsolutePath());
        Statement statement = connection.createStatement()) {
      assertThat(statement.executeUpdate(sql)).isEqualTo(1);
    }
  }
}
