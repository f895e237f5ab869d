package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshness:} and {@code slo:} on models, source tables and sources: what they read, and a
 * clear error at the file and line of each bad value.
 */
class FreshnessConfigTest {
  @TempDir Path root;

  private void source(String table, String sourceLevel) {
    TestProjects.write(root, "sluice.yaml", "name: shop\n");
    TestProjects.write(root, "data/orders.csv", "id,updated_at\n1,2024-03-01 10:00:00\n");
    TestProjects.write(
        root,
        "sources/shop.yaml",
        sourceLevel + "tables:\n  - name: orders\n    path: data/orders.csv\n" + table);
  }

  @Test
  void aSourceTableAndAModelReadTheirFreshnessAndSlo() {
    source(
        "    freshness: {warn_after: 2h, error_after: 6h, loaded_at_field: updated_at}\n"
            + "    slo: {fresh: 99.5%, window: 7d}\n"
            + "    columns:\n      - {name: id, type: bigint}\n"
            + "      - {name: updated_at, type: timestamp}\n",
        "");
    TestProjects.write(
        root,
        "models/curated/daily.sql",
        "select count(*) as n from {{ source('shop', 'orders') }}\n");
    TestProjects.write(
        root,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    tier: gold\n    freshness: {error_after: 1d}\n");
    Project project = Project.load(root);
    FreshnessDef orders = project.asset("shop.orders").definition().freshness();
    assertThat(orders.warnAfter()).isEqualTo(Duration.ofHours(2));
    assertThat(orders.errorAfter()).isEqualTo(Duration.ofHours(6));
    assertThat(orders.loadedAtField()).isEqualTo("updated_at");
    assertThat(orders.slo().fresh()).isEqualTo(0.995);
    assertThat(orders.slo().window()).isEqualTo(Duration.ofDays(7));
    assertThat(orders.slo().budget()).isEqualTo(Duration.ofMillis(3_024_000));
    FreshnessDef daily = project.asset("daily").definition().freshness();
    assertThat(daily.warnAfter()).isNull();
    assertThat(daily.staleAfter()).isEqualTo(Duration.ofDays(1));
    assertThat(daily.slo()).isNull();
  }

  @Test
  void aSourcesFreshnessIsItsTablesUnlessATableHasItsOwn() {
    source("", "freshness: {warn_after: 90m}\nslo: {fresh: 99%}\n");
    FreshnessDef inherited = Project.load(root).asset("shop.orders").definition().freshness();
    assertThat(inherited.warnAfter()).isEqualTo(Duration.ofMinutes(90));
    assertThat(inherited.slo().window()).isEqualTo(Duration.ofDays(30));

    source(
        "    freshness: {warn_after: 3h}\n", "freshness: {warn_after: 90m}\nslo: {fresh: 99%}\n");
    FreshnessDef own = Project.load(root).asset("shop.orders").definition().freshness();
    assertThat(own.warnAfter()).isEqualTo(Duration.ofHours(3));
    assertThat(own.slo().fresh()).isEqualTo(0.99);
  }

  @Test
  void anUnparseableDurationIsAnErrorAtItsLine() {
    source("    freshness: {warn_after: 2 hours}\n", "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:4")
        .contains("'warn_after' must be a positive duration in minutes, hours, days or weeks")
        .contains("got '2 hours'");

    source("    freshness: {error_after: 6h}\n    slo: {fresh: 99%, window: a month}\n", "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:5")
        .contains("'window' must be a positive duration")
        .contains("got 'a month'");
  }

  @Test
  void aPercentageAbove100IsAnErrorAtItsLine() {
    source("    freshness: {error_after: 6h}\n    slo: {fresh: 101%}\n", "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:5")
        .contains("must be a percentage above 0 and at most 100, got '101%'");
  }

  @Test
  void anUnknownLoadedAtFieldIsAnErrorAtItsLine() {
    source(
        "    freshness:\n      warn_after: 2h\n      loaded_at_field: updated\n"
            + "    columns:\n      - {name: id, type: bigint}\n"
            + "      - {name: updated_at, type: timestamp}\n",
        "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:6")
        .contains("Unknown column 'updated' in loaded_at_field of source table 'shop.orders'")
        .contains("its declared columns are: id, updated_at");
  }

  @Test
  void anSloNeedsFreshnessAndErrorAfterIsNotBeforeWarnAfter() {
    source("    slo: {fresh: 99%}\n", "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:4")
        .contains("'slo:' of source table 'shop.orders' needs 'freshness:'");

    source("    freshness: {warn_after: 6h, error_after: 2h}\n", "");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sources/shop.yaml:4")
        .contains("error_after of source table 'shop.orders' (2h) is shorter than warn_after (6h)");
  }
}
