package dev.sluice.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Two versions of a model's SQL compared column by column, parsed for real by JSqlParser. */
class QueryChangeTest {
  private static final String BASE =
      "select order_id, customer_id, amount * 2 as doubled, status\n"
          + "from curated.orders where status <> 'void'";

  @Test
  void whitespaceAndCommentsAreNoChange() {
    QueryChange change =
        QueryChange.between(
            BASE,
            "select order_id,   customer_id, amount * 2 as doubled, -- why\n status"
                + " from curated.orders\n  where status <> 'void'");

    assertThat(change.unchanged()).isTrue();
  }

  @Test
  void aChangedExpressionIsThatColumnOnly() {
    QueryChange change =
        QueryChange.between(
            BASE,
            "select order_id, customer_id, amount * 3 as doubled, status"
                + " from curated.orders where status <> 'void'");

    assertThat(change.modified()).containsExactly("doubled");
    assertThat(change.added()).isEmpty();
    assertThat(change.removed()).isEmpty();
    assertThat(change.rowsChanged()).isFalse();
  }

  @Test
  void addedRemovedAndRenamedColumnsAreNamed() {
    QueryChange change =
        QueryChange.between(
            BASE,
            "select order_id, customer_id as buyer_id, amount * 2 as doubled, 1 as version"
                + " from curated.orders where status <> 'void'");

    assertThat(change.added()).containsExactlyInAnyOrder("buyer_id", "version");
    assertThat(change.removed()).containsExactlyInAnyOrder("customer_id", "status");
    assertThat(change.modified()).isEmpty();
    assertThat(change.rowsChanged()).isFalse();
  }

  @Test
  void aChangedFilterOrCteChangesEveryRow() {
    QueryChange filter =
        QueryChange.between(
            BASE,
            "select order_id, customer_id, amount * 2 as doubled, status"
                + " from curated.orders where status <> 'cancelled'");
    QueryChange cte =
        QueryChange.between(
            "with o as (select * from curated.orders) select order_id from o",
            "with o as (select * from curated.orders where amount > 0) select order_id from o");

    assertThat(filter.rowsChanged()).isTrue();
    assertThat(filter.reason()).contains("outside its select list");
    assertThat(cte.rowsChanged()).isTrue();
  }

  @Test
  void aColumnAddedToADistinctOrGroupByAllQueryChangesItsRows() {
    QueryChange distinct =
        QueryChange.between(
            "select distinct customer_id from curated.orders",
            "select distinct customer_id, status from curated.orders");
    QueryChange grouped =
        QueryChange.between(
            "select customer_id, sum(amount) as total from curated.orders group by all",
            "select customer_id, status, sum(amount) as total from curated.orders group by all");

    assertThat(distinct.rowsChanged()).isTrue();
    assertThat(distinct.reason()).contains("DISTINCT");
    assertThat(grouped.rowsChanged()).isTrue();
    assertThat(grouped.added()).containsExactly("status");
  }

  @Test
  void setOperationsAndUnreadableSqlCountAsChangedUnlessEqual() {
    String union = "select order_id from curated.orders union all select 1";

    assertThat(QueryChange.between(union, union).unchanged()).isTrue();
    assertThat(QueryChange.between(union, union + " union all select 2").reason())
        .contains("not one SELECT");
    assertThat(QueryChange.between("select from where", "select 1").rowsChanged()).isTrue();
  }
}
