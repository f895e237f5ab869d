package dev.sluice.bench.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultComparisonTest {
  @Test
  void equalRowsInAnotherOrderMatch() {
    List<List<Object>> a =
        List.of(row("A", new BigDecimal("1.50"), 2.0), row("B", new BigDecimal("3"), 4.0));
    List<List<Object>> b =
        List.of(row("B", new BigDecimal("3.00"), 4.0), row("A", new BigDecimal("1.5"), 2.0));

    assertThat(ResultComparison.difference(a, b)).isEmpty();
  }

  @Test
  void floatingPointWithinToleranceMatches() {
    assertThat(ResultComparison.difference(List.of(row(0.1 + 0.2)), List.of(row(0.3)))).isEmpty();
  }

  @Test
  void differentValuesAreReported() {
    assertThat(ResultComparison.difference(List.of(row("A", 1L)), List.of(row("A", 2L))))
        .hasValueSatisfying(d -> assertThat(d).contains("column 1"));
    assertThat(ResultComparison.difference(List.of(row(1.0)), List.of(row(1.001)))).isPresent();
    assertThat(ResultComparison.difference(List.of(row(1L)), List.of()))
        .hasValue("expected 1 rows, got 0");
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }
}
