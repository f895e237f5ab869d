package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice erase}: a dry run, the erasure, its audit record and its errors. */
class EraseCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: customers
            path: data/customers.csv
            columns:
              - {name: customer_id, type: bigint, classification: [subject.customer_id]}
              - {name: country, type: varchar}
        """);
    write(project, "data/customers.csv", "customer_id,country\n41,DE\n42,DE\n43,FR\n");
    write(
        project,
        "models/published/customers_by_country.sql",
        "select country, count(*) as customers from {{ source('shop', 'customers') }} group by 1\n");
  }

  @Test
  void aDryRunThenAnErasureRecordedInTheAuditLog() throws IOException {
    assertThat(sluice("run").code()).isZero();

    InProcessCli.Result dry = sluice("erase", "--subject", "customer_id=42", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out())
        .contains("raw.shop_customers", "delete rows", "customer_id")
        .contains("published.customers_by_country", "rebuild");
    assertThat(dry.err()).contains("Would remove 1 rows of customer_id from 1 tables");

    InProcessCli.Result erased = sluice("--json", "erase", "--subject", "customer_id=42");
    assertThat(erased.code()).as(erased.err()).isZero();
    JsonNode report = JSON.readTree(erased.out());
    assertThat(report.get("rowsRemoved").asLong()).isEqualTo(1);
    assertThat(report.get("dryRun").asBoolean()).isFalse();
    assertThat(erased.out()).doesNotContain("\"42\"");

    InProcessCli.Result query =
        sluice(
            "query",
            "select count(*) as n from raw.shop_customers where customer_id = 42"
                + " union all select customers from published.customers_by_country"
                + " where country = 'DE'");
    assertThat(query.code()).as(query.err()).isZero();
    assertThat(query.out().lines().filter(line -> line.strip().equals("1"))).hasSize(1);
    assertThat(query.out().lines().filter(line -> line.strip().equals("0"))).hasSize(1);

    InProcessCli.Result audit = sluice("audit", "--action", "erasure");
    assertThat(audit.code()).as(audit.err()).isZero();
    assertThat(audit.out()).contains("erasure", "raw.shop_customers");
  }

  @Test
  void aMalformedOrUntaggedSubjectIsAUsageError() {
    InProcessCli.Result malformed = sluice("erase", "--subject", "42");
    assertThat(malformed.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(malformed.err()).contains("--subject takes KEY=VALUE");

    InProcessCli.Result untagged = sluice("erase", "--subject", "custmer_id=42", "--dry-run");
    assertThat(untagged.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(untagged.err()).contains("No column is tagged subject.custmer_id", "customer_id");
  }
}
