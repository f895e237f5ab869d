package dev.sluice.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.core.project.Project;
import dev.sluice.core.quality.UnitTests.Report;
import dev.sluice.core.quality.UnitTests.Result;
import dev.sluice.core.quality.UnitTests.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tests of models run on a real in-memory DuckDB: given rows in, the model's SQL run on them,
 * the expected rows compared as a multiset on the columns they name; the incremental case merges
 * into the given {@code this} rows. The project's warehouse and state database are never created.
 */
class UnitTestsTest {
  @TempDir Path root;

  static final String SOURCE =
      """
      tables:
        - name: orders
          path: data/orders.csv
          columns:
            - {name: id, type: bigint}
            - {name: amount, type: "decimal(10,2)"}
            - {name: ordered_at, type: timestamp}
            - {name: customer, type: varchar}
      """;

  static final String DAILY =
      """
      select cast(ordered_at as date) as day, count(*) as orders, sum(amount) as revenue,
          '{{ var('currency') }}' as currency
      from {{ source('shop', 'orders') }}
      group by 1
      """;

  static final String FACTS =
      """
      {{ config(materialized='incremental', unique_key='id') }}
      select o.id, o.amount, o.ordered_at, c.region
      from {{ source('shop', 'orders') }} as o
      left join {{ ref('regions') }} as c on c.customer = o.customer
      {% if is_incremental() %}
      where o.ordered_at > (select max(ordered_at) from {{ this }})
      {% endif %}
      """;

  static final String TESTS =
      """
      unit_tests:
        - name: revenue_per_day
          model: daily
          given:
            - input: source('shop', 'orders')
              rows:
                - {id: 1, amount: 10.50, ordered_at: "2026-01-01 09:00:00"}
                - {id: 2, amount: 4.50, ordered_at: "2026-01-01 18:00:00"}
                - {id: 3, amount: 7, ordered_at: "2026-01-02 10:00:00"}
          overrides:
            vars: {currency: CHF}
          expect:
            rows:
              - {day: 2026-01-02, orders: 1, revenue: 7, currency: CHF}
              - {day: 2026-01-01, orders: 2, revenue: 15.00, currency: CHF}
        - name: facts_merge_into_existing
          model: facts
          given:
            - input: source('shop', 'orders')
              format: csv
              rows: |
                id,amount,ordered_at,customer
                2,20.00,2026-01-02 10:00:00,bob
                3,30.00,2026-01-03 10:00:00,ann
                1,99.00,2025-12-31 10:00:00,ann
            - input: ref('regions')
              format: csv
              fixture: regions
            - input: this
              rows:
                - {id: 1, amount: 10, ordered_at: "2026-01-01 10:00:00", region: north}
                - {id: 2, amount: 15, ordered_at: "2026-01-01 11:00:00", region: north}
          expect:
            rows:
              - {id: 1, amount: 10, region: north}
              - {id: 2, amount: 20, region: south}
              - {id: 3, amount: 30, region: north}
      """;

  private void project(String tests) {
    write("sluice.yaml", "name: shop\nvars: {currency: EUR}\n");
    write("sources/shop.yaml", SOURCE);
    write("seeds/regions.csv", "customer,region\nann,north\n");
    write("tests/fixtures/regions.csv", "customer,region\nann,north\nbob,south\n");
    write("models/curated/daily.sql", DAILY);
    write("models/curated/facts.sql", FACTS);
    write("models/curated/tests.yaml", tests);
  }

  @Test
  void passingTestsRunInMemoryWithoutTouchingTheWarehouseOrStateDatabase() throws IOException {
    project(TESTS);
    Project project = Project.load(root);
    List<String> before = files();

    Report report = UnitTests.run(project, List.of(), List.of());

    assertThat(report.results())
        .extracting(r -> r.test().name())
        .containsExactly("revenue_per_day", "facts_merge_into_existing");
    assertThat(report.results()).extracting(Result::status).containsOnly(Status.PASSED);
    assertThat(report.failed()).isZero();
    Result merged = report.results().get(1);
    assertThat(merged.actualRows()).isEqualTo(3); // 1 kept, 2 replaced, 3 added; the old 1 of
    // the source is older than this' newest row and is not read by the incremental update
    assertThat(files()).isEqualTo(before);
    assertThat(root.resolve(".sluice")).doesNotExist();
    assertThat(root.resolve("warehouse")).doesNotExist();
  }

  @Test
  void aFailingTestListsTheMissingAndUnexpectedRows() {
    project(
        TESTS.replace(
            "- {day: 2026-01-02, orders: 1, revenue: 7, currency: CHF}",
            "- {day: 2026-01-02, revenue: 8, currency: CHF}"));
    Report report = UnitTests.run(Project.load(root), List.of("revenue_per_day"), List.of());

    Result result = report.results().get(0);
    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.columns()).containsExactly("day", "revenue", "currency", "orders");
    assertThat(result.missing()).hasSize(1);
    assertThat(result.missing().get(0).get(1)).isEqualTo(new BigDecimal("8.00"));
    assertThat(result.unexpected()).hasSize(1);
    // the model's row of 2026-01-02 has orders = 1, which the test leaves null there
    assertThat(result.unexpected().get(0).get(1)).isEqualTo(new BigDecimal("7.00"));
  }

  @Test
  void selectionByModelOrTestName() {
    project(TESTS);
    Project project = Project.load(root);
    assertThat(UnitTests.select(project, List.of("facts"), List.of()))
        .extracting(t -> t.name())
        .containsExactly("facts_merge_into_existing");
    assertThat(UnitTests.select(project, List.of(), List.of("revenue_per_day")))
        .extracting(t -> t.name())
        .containsExactly("facts_merge_into_existing");
  }

  @Test
  void aValueOfTheWrongTypeOrAnExpectedColumnTheModelDoesNotProduceFailsAtItsLine() {
    project(
        TESTS
            .replace("amount: 4.50", "amount: lots")
            .replace(
                "{day: 2026-01-02, orders: 1, revenue: 7, currency: CHF}",
                "{day: 2026-01-02, revenu: 7, currency: CHF}"));
    // the declared type of the source column is checked when the project loads
    assertThatThrownBy(() -> Project.load(root))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/curated/tests.yaml:8:")
        .hasMessageContaining("The value 'lots' of column 'amount'")
        .hasMessageContaining("is not a decimal(10,2)");

    project(
        TESTS
            .replace(
                "{day: 2026-01-02, orders: 1, revenue: 7, currency: CHF}",
                "{day: 2026-01-02, revenu: 7, currency: CHF}")
            .replace("{id: 3, amount: 30, region: north}", "{id: 3, amount: 30, region: 12x}"));
    Project project = Project.load(root);
    assertThatThrownBy(() -> UnitTests.run(project, List.of(), List.of()))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/curated/tests.yaml:14:")
        .hasMessageContaining(
            "Column 'revenu' in the expect of unit test 'revenue_per_day' is"
                + " not a column that model 'daily' produces")
        .hasMessageContaining("did you mean 'revenue'?");

    project(
        TESTS.replace(
            "{id: 2, amount: 20, region: south}", "{id: two, amount: 20, region: south}"));
    assertThatThrownBy(() -> UnitTests.run(Project.load(root), List.of(), List.of()))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("models/curated/tests.yaml:36:")
        .hasMessageContaining(
            "The value 'two' of column 'id' in the expect of unit test"
                + " 'facts_merge_into_existing' is not a bigint");
  }

  @Test
  void anErrorOfTheModelOnTheGivenRowsIsAnErrorResult() {
    project(TESTS);
    write("models/curated/daily.sql", DAILY.replace("sum(amount)", "sum(amount) + nope"));
    Result result = UnitTests.run(Project.load(root), List.of("daily"), List.of()).results().get(0);
    assertThat(result.status()).isEqualTo(Status.ERROR);
    assertThat(result.error()).startsWith("models/curated/daily.sql:1: ").contains("nope");
  }

  private List<String> files() throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.map(path -> root.relativize(path).toString()).sorted().toList();
    }
  }

  private void write(String file, String content) {
    try {
      Path path = root.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
