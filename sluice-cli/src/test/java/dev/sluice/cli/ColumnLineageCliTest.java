package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.demo.DemoProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lineage --columns}, {@code lineage NAME.COLUMN}, {@code catalog columns --tag} and the
 * lineage warnings of {@code validate}, in-process on the demo project's models.
 */
class ColumnLineageCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(directory, args);
  }

  @BeforeEach
  void demoProject() throws IOException {
    DemoProject.writeProjectFiles(directory);
    Files.createDirectories(directory.resolve("seeds"));
    Files.writeString(
        directory.resolve("seeds/countries.csv"), "code,name,region\nDE,Germany,EU\n");
  }

  @Test
  void everyColumnOfAModelWithItsInputsAndKinds() throws IOException {
    InProcessCli.Result text = sluice("lineage", "customers", "--columns");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("columns of customers (curated.customers):")
        .contains("  email\n    <- raw.shop_customers.email (transformation)")
        .contains("  customer_id\n    <- raw.shop_customers.customer_id (direct)")
        .contains("curated.countries.code (join)");

    InProcessCli.Result json = sluice("lineage", "daily_revenue", "--columns", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode lineage = JSON.readTree(json.out());
    assertThat(lineage.get("derivable").asBoolean()).isTrue();
    JsonNode customers = lineage.get("columns").get(3);
    assertThat(customers.get("name").asText()).isEqualTo("customers");
    assertThat(customers.get("inputs").get(0).get("column").asText())
        .isEqualTo("curated.order_facts.customer_id");
    assertThat(customers.get("inputs").get(0).get("kind").asText()).isEqualTo("aggregation");
    assertThat(lineage.get("conditions").findValuesAsText("clause")).contains("group_by");
  }

  @Test
  void oneColumnUpstreamAndDownstreamThroughTheModels() throws IOException {
    InProcessCli.Result text = sluice("lineage", "customers.email");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("upstream of customers.email (curated.customers.email) [pii, pii.email]:")
        .contains("  raw.shop_customers.email (shop.customers, transformation)");

    InProcessCli.Result json = sluice("lineage", "shop.customers.name", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode name = JSON.readTree(json.out());
    assertThat(name.get("tags").toString()).contains("pii.name");
    assertThat(name.get("downstream").findValuesAsText("column"))
        .contains(
            "curated.customers.customer_name", "published.customer_lifetime_value.customer_name");

    InProcessCli.Result unknown = sluice("lineage", "customers.nope");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("'customers' has no column 'nope'").contains("email");
  }

  @Test
  void catalogListsEveryColumnHoldingATagAndWhy() throws IOException {
    InProcessCli.Result text = sluice("catalog", "columns", "--tag", "pii.email");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("raw.shop_customers")
        .contains("declared at sources/shop.yaml:")
        .contains("inherited from raw.shop_customers.email (transformation)");

    InProcessCli.Result json = sluice("catalog", "columns", "--tag", "pii", "--json");
    JsonNode columns = JSON.readTree(json.out());
    assertThat(columns.findValuesAsText("column"))
        .contains("email", "name", "customer_name")
        .doesNotContain("orders", "customer_id");
    assertThat(json.out()).contains("\"inheritedFrom\" : \"curated.customers.customer_name\"");
  }

  @Test
  void validateWarnsOfAModelWhoseLineageCannotBeDerived() throws IOException {
    Files.writeString(
        directory.resolve("models/published/from_first.sql"),
        "-- DuckDB reads FROM-first SQL; the lineage parser does not\n"
            + "from {{ ref('customers') }} select email\n");
    InProcessCli.Result validate = sluice("validate", "--json");
    assertThat(validate.code()).as(validate.err()).isZero();
    assertThat(validate.err())
        .contains(
            "warning: models/published/from_first.sql: the column lineage of model"
                + " 'from_first' cannot be derived: the SQL parser cannot read it")
        .contains("line 2");
    assertThat(JSON.readTree(validate.out()).get("warnings").toString()).contains("from_first");
  }

  @Test
  void aMissingClassificationReasonFailsValidateWithFileAndLine() throws IOException {
    Files.writeString(
        directory.resolve("models/published/hashes.sql"),
        "select sha256(email) as email_hash from {{ ref('customers') }}\n");
    Files.writeString(
        directory.resolve("models/published/hashes.yaml"),
        """
        models:
          - name: hashes
            columns:
              - name: email_hash
                classification: []
        """);
    InProcessCli.Result validate = sluice("validate");
    assertThat(validate.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(validate.err())
        .contains("models/published/hashes.yaml:5")
        .contains("classification_reason");
  }
}
