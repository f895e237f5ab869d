package dev.sluice.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Column lineage of realistic DuckDB models, parsed for real by JSqlParser. */
class ColumnLineageTest {
  private static final TableName CUSTOMERS = TableName.parse("raw.shop_customers");
  private static final TableName ORDERS = TableName.parse("curated.orders");
  private static final TableName COUNTRIES = TableName.parse("raw.countries");

  private static final Map<TableName, RelationSchema> SCHEMAS =
      Map.of(
          CUSTOMERS,
          new RelationSchema(List.of("customer_id", "name", "email", "country"), false),
          ORDERS,
          new RelationSchema(
              List.of("order_id", "customer_id", "ordered_at", "status", "amount"), true),
          COUNTRIES,
          new RelationSchema(List.of("code", "name", "region"), true));

  private static QueryLineage lineage(String sql) {
    LineageResult result =
        ColumnLineage.analyze(sql, table -> Optional.ofNullable(SCHEMAS.get(table)));
    assertThat(result).isInstanceOf(LineageResult.Derived.class);
    return ((LineageResult.Derived) result).lineage();
  }

  private static String reason(String sql) {
    LineageResult result =
        ColumnLineage.analyze(sql, table -> Optional.ofNullable(SCHEMAS.get(table)));
    assertThat(result).isInstanceOf(LineageResult.NotDerivable.class);
    return ((LineageResult.NotDerivable) result).reason();
  }

  private static List<String> inputs(QueryLineage lineage, String column) {
    return lineage.column(column).orElseThrow().inputs().stream().map(Object::toString).toList();
  }

  private static List<String> conditions(QueryLineage lineage) {
    return lineage.conditions().stream().map(Object::toString).toList();
  }

  @Test
  void anUnaliasedTableFunctionInASubqueryIsARelationWithoutInputs() {
    QueryLineage lineage =
        lineage(
            "select id, v from (select range::bigint as id, (range % 1000)::bigint as v"
                + " from range(10000))");
    assertThat(lineage.columns()).extracting(OutputColumn::name).containsExactly("id", "v");
    assertThat(inputs(lineage, "id")).isEmpty();
  }

  @Test
  void joinsWithAliasesCopyAndTransformColumns() {
    QueryLineage lineage =
        lineage(
            """
            select
                c.customer_id,
                trim(c.name) as customer_name,
                lower(trim(c.email)) as email,
                upper(trim(c.country))::varchar as country_code,
                k.name as country_name,
                k.region
            from "raw"."shop_customers" as c
            left join "raw"."countries" as k
                on k.code = upper(trim(c.country))
            where c.email is not null
            """);
    assertThat(lineage.columns())
        .extracting(OutputColumn::name)
        .containsExactly(
            "customer_id", "customer_name", "email", "country_code", "country_name", "region");
    assertThat(inputs(lineage, "customer_id"))
        .containsExactly("raw.shop_customers.customer_id (direct)");
    assertThat(inputs(lineage, "email"))
        .containsExactly("raw.shop_customers.email (transformation)");
    assertThat(inputs(lineage, "country_code"))
        .containsExactly("raw.shop_customers.country (transformation)");
    assertThat(inputs(lineage, "country_name")).containsExactly("raw.countries.name (direct)");
    assertThat(conditions(lineage))
        .containsExactly(
            "raw.countries.code (join)",
            "raw.shop_customers.country (join)",
            "raw.shop_customers.email (where)");
  }

  @Test
  void ctesAggregatesAndCaseComposeThroughEachStep() {
    QueryLineage lineage =
        lineage(
            """
            with per_customer as (
                select customer_id, count(*) as orders,
                    count(*) filter (where status = 'returned') as returned_orders,
                    max(ordered_at) as last_order_at,
                    sum(amount) as lifetime_value
                from "curated"."orders"
                group by customer_id
            )
            select
                c.email as login,
                o.last_order_at,
                case when coalesce(o.lifetime_value, 0) >= 1000 then 'vip' else 'regular' end
                    as segment,
                coalesce(o.returned_orders, 0) as returned_orders
            from "raw"."shop_customers" c
            left join per_customer o on o.customer_id = c.customer_id
            """);
    assertThat(inputs(lineage, "login")).containsExactly("raw.shop_customers.email (direct)");
    assertThat(lineage.column("last_order_at").orElseThrow().inputs())
        .singleElement()
        .satisfies(
            dependency -> {
              assertThat(dependency.kind()).isEqualTo(DependencyKind.AGGREGATION);
              assertThat(dependency.carriesValues()).isTrue();
            });
    assertThat(lineage.column("segment").orElseThrow().inputs())
        .singleElement()
        .satisfies(
            dependency -> {
              assertThat(dependency.column().toString()).isEqualTo("curated.orders.amount");
              assertThat(dependency.kind()).isEqualTo(DependencyKind.AGGREGATION);
              assertThat(dependency.carriesValues()).isFalse();
            });
    assertThat(inputs(lineage, "returned_orders"))
        .containsExactly("curated.orders.status (aggregation)");
    assertThat(conditions(lineage))
        .containsExactly(
            "curated.orders.customer_id (join)",
            "curated.orders.customer_id (group_by)",
            "raw.shop_customers.customer_id (join)");
  }

  @Test
  void starAndTableStarExpandFromTheSchemasWithExcludeAndReplace() {
    QueryLineage lineage =
        lineage(
            """
            select o.* exclude (amount), k.* replace (upper(name) as name)
            from "curated"."orders" o cross join "raw"."countries" k
            """);
    assertThat(lineage.columns())
        .extracting(OutputColumn::name)
        .containsExactly(
            "order_id", "customer_id", "ordered_at", "status", "code", "name", "region");
    assertThat(inputs(lineage, "name")).containsExactly("raw.countries.name (transformation)");
    QueryLineage star =
        lineage(
            "select * from (select order_id, amount * 2 as doubled from \"curated\".\"orders\")");
    assertThat(inputs(star, "doubled")).containsExactly("curated.orders.amount (transformation)");
  }

  @Test
  void unionMergesColumnsByPosition() {
    QueryLineage lineage =
        lineage(
            """
            select customer_id as id, email as contact from "raw"."shop_customers"
            union all
            select order_id, status from "curated"."orders" where amount > 0
            """);
    assertThat(lineage.columns()).extracting(OutputColumn::name).containsExactly("id", "contact");
    assertThat(inputs(lineage, "contact"))
        .containsExactly("curated.orders.status (direct)", "raw.shop_customers.email (direct)");
    assertThat(conditions(lineage)).containsExactly("curated.orders.amount (where)");
  }

  @Test
  void windowFunctionsAndQualifyAreAggregationsAndConditions() {
    QueryLineage lineage =
        lineage(
            """
            select order_id, status,
                rank() over (partition by customer_id order by amount desc) as rank_in_customer,
                lag(status) over (order by ordered_at) as previous_status
            from "curated"."orders"
            qualify row_number() over (partition by order_id order by ordered_at desc) = 1
            """);
    assertThat(lineage.column("rank_in_customer").orElseThrow().inputs())
        .allSatisfy(
            dependency -> {
              assertThat(dependency.kind()).isEqualTo(DependencyKind.AGGREGATION);
              assertThat(dependency.carriesValues()).isFalse();
            })
        .extracting(dependency -> dependency.column().column())
        .containsExactly("amount", "customer_id");
    assertThat(lineage.column("previous_status").orElseThrow().inputs())
        .filteredOn(dependency -> dependency.column().column().equals("status"))
        .singleElement()
        .satisfies(dependency -> assertThat(dependency.carriesValues()).isTrue());
    assertThat(conditions(lineage))
        .containsExactly(
            "curated.orders.order_id (qualify)", "curated.orders.ordered_at (qualify)");
  }

  @Test
  void subqueriesInExpressionsAndGroupByAllAndPositions() {
    QueryLineage lineage =
        lineage(
            """
            select status, count(*) as orders,
                (select max(name) from "raw"."countries") as some_country
            from "curated"."orders" o
            where o.customer_id in (select customer_id from "raw"."shop_customers" where country = 'DE')
            group by all
            """);
    assertThat(inputs(lineage, "some_country"))
        .containsExactly("raw.countries.name (aggregation, carries values)");
    assertThat(conditions(lineage))
        .contains(
            "curated.orders.customer_id (where)",
            "raw.shop_customers.customer_id (where)",
            "raw.shop_customers.country (where)",
            "curated.orders.status (group_by)");
    QueryLineage positional =
        lineage(
            "select status::varchar as s, count(*) as n from \"curated\".\"orders\" group by 1");
    assertThat(conditions(positional)).containsExactly("curated.orders.status (group_by)");
  }

  @Test
  void aColumnOfATableWhoseColumnsAreNotAllDeclaredIsTakenFromIt() {
    QueryLineage lineage =
        lineage("select phone, c.loyalty_tier from \"raw\".\"shop_customers\" as c");
    assertThat(inputs(lineage, "phone")).containsExactly("raw.shop_customers.phone (direct)");
    assertThat(inputs(lineage, "loyalty_tier"))
        .containsExactly("raw.shop_customers.loyalty_tier (direct)");
  }

  @Test
  void saysWhyInsteadOfGuessing() {
    assertThat(reason("from \"curated\".\"orders\" select order_id"))
        .startsWith("the SQL parser cannot read it: Encountered unexpected token: \"select\"")
        .contains("at line 1, column 25")
        .doesNotContain("jsqlparser")
        .doesNotEndWith(".");
    assertThat(
            reason(
                "select customer_id from \"curated\".\"orders\" o join \"raw\".\"shop_customers\" c"
                    + " on o.customer_id = c.customer_id"))
        .contains("'customer_id' is ambiguous");
    assertThat(reason("select nope from \"curated\".\"orders\""))
        .contains("'nope' is not a column of any table the query reads");
    assertThat(reason("select columns('a.*') from \"curated\".\"orders\""))
        .contains("COLUMNS(...)");
    assertThat(reason("select * from \"raw\".\"unknown_table\"")).contains("raw.unknown_table");
    assertThat(reason("select * from orders")).contains("neither a CTE nor a zone.table");
  }

  @Test
  void usingJoinsRecursiveCtesLambdasStructFieldsAndValues() {
    QueryLineage using =
        lineage(
            """
            select customer_id, o.amount
            from "curated"."orders" o join "raw"."shop_customers" c using (customer_id)
            """);
    assertThat(inputs(using, "customer_id"))
        .containsExactly(
            "curated.orders.customer_id (direct)", "raw.shop_customers.customer_id (direct)");
    assertThat(conditions(using))
        .containsExactly(
            "curated.orders.customer_id (join)", "raw.shop_customers.customer_id (join)");

    QueryLineage recursive =
        lineage(
            """
            with recursive days(n, day) as (
                select 0, min(ordered_at) from "curated"."orders"
                union all
                select n + 1, day + interval 1 day from days where n < 30
            )
            select day from days
            """);
    assertThat(inputs(recursive, "day"))
        .containsExactly("curated.orders.ordered_at (aggregation, carries values)");

    QueryLineage lambda =
        lineage(
            "select list_transform([amount, amount * 2], x -> x + 1) as amounts,"
                + " c.address.city as city"
                + " from \"curated\".\"orders\" o, \"raw\".\"shop_customers\" c");
    assertThat(inputs(lambda, "amounts")).containsExactly("curated.orders.amount (transformation)");
    assertThat(inputs(lambda, "city"))
        .containsExactly("raw.shop_customers.address (transformation)");

    // VALUES as a FROM item is not analysed: said, not guessed
    assertThat(reason("select code, label from (values ('DE', 'Germany')) as t(code, label)"))
        .contains("is not analysed");
  }

  @Test
  void setOperationsOfDifferentWidthsAndQualifiersOfNoTableAreNotGuessed() {
    assertThat(
            reason(
                "select order_id, status from \"curated\".\"orders\""
                    + " union select customer_id from \"raw\".\"shop_customers\""))
        .contains("return 2 and 1 columns");
    assertThat(reason("select x.order_id from \"curated\".\"orders\" o"))
        .contains("'x.order_id' names no table or column");
    assertThat(reason("select o.nope from \"curated\".\"orders\" o"))
        .contains("o has no column nope");
    assertThat(
            reason("select * from \"curated\".\"orders\" pivot (sum(amount) for status in ('a'))"))
        .contains("PIVOT");
  }
}
