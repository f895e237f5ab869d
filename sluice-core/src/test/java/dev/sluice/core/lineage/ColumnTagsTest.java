package dev.sluice.core.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.connector.testkit.ProjectFiles;
import dev.sluice.core.project.Project;
import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.DependencyKind;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Column lineage and classification of a whole project: models parsed for real, tags resolved along
 * the lineage through a view and a chain of models.
 */
class ColumnTagsTest {
  @TempDir Path root;

  private static final TableName CUSTOMERS = TableName.parse("raw.crm_customers");

  @BeforeEach
  void project() throws IOException {
    ProjectFiles.write(root, "sluice.yaml", "name: shop\n");
    ProjectFiles.write(
        root,
        "sources/crm.yaml",
        """
        connector: postgres
        options:
          url: jdbc:postgresql://localhost/crm
        tables:
          - name: customers
            columns:
              - {name: customer_id, type: bigint}
              - {name: email, type: varchar, classification: [pii, pii.email]}
              - {name: phone, type: varchar, classification: pii.phone}
              - {name: country, type: varchar}
          - name: orders
            columns:
              - {name: order_id, type: bigint}
              - {name: customer_id, type: bigint}
              - {name: amount, type: "decimal(12,2)"}
        """);
    // a view that copies and transforms the e-mail
    ProjectFiles.write(
        root,
        "models/curated/customers.sql",
        """
        {{ config(materialized='view') }}
        select customer_id, lower(trim(email)) as email, phone, upper(country) as country_code
        from {{ source('crm', 'customers') }}
        """);
    // a CTE, an aggregate that carries values (min), one that does not (count), star expansion
    ProjectFiles.write(
        root,
        "models/published/customer_orders.sql",
        """
        with per_customer as (
            select customer_id, count(*) as orders, sum(amount) as revenue
            from {{ source('crm', 'orders') }}
            group by all
        )
        select c.*, o.orders, o.revenue, sha256(c.phone) as phone_hash
        from {{ ref('customers') }} as c
        left join per_customer as o on o.customer_id = c.customer_id
        """);
    ProjectFiles.write(
        root,
        "models/published/contacts.sql",
        """
        select country_code, min(email) as first_email, count(email) as emails,
            count(distinct phone_hash) as phones
        from {{ ref('customer_orders') }}
        group by country_code
        union all
        select 'XX', null, 0, 0
        """);
    ProjectFiles.write(
        root,
        "models/published/properties.yaml",
        """
        models:
          - name: customer_orders
            columns:
              - name: phone_hash
                classification: []
                classification_reason: a keyed hash, not reversible
              - name: revenue
                classification: [finance]
        """);
    // FROM-first SQL: DuckDB reads it, the parser does not
    ProjectFiles.write(
        root, "models/published/from_first.sql", "from {{ ref('customers') }} select email\n");
  }

  @Test
  void tagsFlowAlongCopiesTransformationsAndValueCarryingAggregates() {
    Project project = Project.load(root);
    ColumnTags tags = ColumnTags.of(project);
    TableName customers = TableName.parse("curated.customers");
    TableName customerOrders = TableName.parse("published.customer_orders");
    TableName contacts = TableName.parse("published.contacts");

    assertThat(tags.tags(CUSTOMERS, "email")).containsExactly("pii", "pii.email");
    assertThat(tags.tags(customers, "EMAIL")).containsExactly("pii", "pii.email");
    assertThat(tags.classification(customers, "email").orElseThrow().origins())
        .allSatisfy(
            origin -> {
              assertThat(origin.from()).isEqualTo(new ColumnRef(CUSTOMERS, "email"));
              assertThat(origin.kind()).isEqualTo(DependencyKind.TRANSFORMATION);
            });
    // c.* expands to the view's derived columns
    assertThat(tags.tags(customerOrders, "email")).containsExactly("pii", "pii.email");
    assertThat(tags.tags(customerOrders, "phone")).containsExactly("pii.phone");
    // cleared with a reason, and a declared tag on a column that inherits nothing
    assertThat(tags.tags(customerOrders, "phone_hash")).isEmpty();
    assertThat(tags.classification(customerOrders, "phone_hash").orElseThrow().clearedReason())
        .isEqualTo("a keyed hash, not reversible");
    assertThat(tags.tags(customerOrders, "revenue")).containsExactly("finance");
    assertThat(tags.tags(customerOrders, "orders")).isEmpty();
    // min(email) still holds an e-mail, count(email) does not
    assertThat(tags.tags(contacts, "first_email")).containsExactly("pii", "pii.email");
    assertThat(tags.tags(contacts, "emails")).isEmpty();
    assertThat(tags.hasTag(contacts, "first_email", "pii")).isTrue();
    assertThat(tags.hasTag(contacts, "first_email", "pi")).isFalse();

    assertThat(tags.withTag("pii"))
        .extracting(classification -> classification.column().toString())
        .containsExactly(
            "curated.customers.email",
            "curated.customers.phone",
            "published.contacts.first_email",
            "published.customer_orders.email",
            "published.customer_orders.phone",
            "raw.crm_customers.email",
            "raw.crm_customers.phone");
  }

  @Test
  void columnLineageIsTracedUpstreamAndDownstreamThroughTheView() {
    ProjectLineage lineage = ProjectLineage.of(Project.load(root));
    ColumnRef firstEmail = new ColumnRef(TableName.parse("published.contacts"), "first_email");
    assertThat(lineage.upstream(firstEmail))
        .extracting(
            traced -> traced.column() + " " + traced.kind().label() + " " + traced.distance())
        .containsExactly(
            "published.customer_orders.email aggregation 1",
            "curated.customers.email aggregation 2",
            "raw.crm_customers.email aggregation 3");
    assertThat(lineage.downstream(new ColumnRef(CUSTOMERS, "email")))
        .extracting(traced -> traced.column() + " " + traced.kind().label())
        .containsExactly(
            "curated.customers.email transformation",
            "published.customer_orders.email transformation",
            "published.contacts.first_email aggregation",
            "published.contacts.emails aggregation");
    assertThat(lineage.asset("customer_orders").orElseThrow().conditions())
        .extracting(Object::toString)
        .contains("curated.customers.customer_id (join)", "raw.crm_orders.customer_id (group_by)");
  }

  @Test
  void aModelTheParserCannotReadIsNotDerivableWithTheParsersReason() {
    ProjectLineage lineage = ProjectLineage.of(Project.load(root));
    assertThat(lineage.notDerivable()).containsOnlyKeys("from_first");
    AssetColumns fromFirst = lineage.notDerivable().get("from_first");
    assertThat(fromFirst.location().toString()).isEqualTo("models/published/from_first.sql");
    assertThat(fromFirst.notDerivable()).contains("parser cannot read it").contains("line 1");
  }

  @Test
  void aModelReadingOneWhoseLineageIsNotDerivableSaysSoInsteadOfGuessing() throws IOException {
    ProjectFiles.write(
        root, "models/published/after_from_first.sql", "select * from {{ ref('from_first') }}\n");
    ProjectFiles.write(
        root,
        "models/published/named.sql",
        "select email as contact from {{ ref('from_first') }}\n");
    Project project = Project.load(root);
    ProjectLineage lineage = ProjectLineage.of(project);
    assertThat(lineage.notDerivable().get("after_from_first").notDerivable())
        .contains("'*' reads published.from_first, whose columns are not known");
    // a named column of a model without lineage is still traced to it, and inherits nothing
    assertThat(lineage.asset("named").orElseThrow().column("contact").orElseThrow().inputs())
        .extracting(Object::toString)
        .containsExactly("published.from_first.email (direct)");
    assertThat(ColumnTags.of(project, lineage).tags(TableName.parse("published.named"), "contact"))
        .isEmpty();
  }
}
