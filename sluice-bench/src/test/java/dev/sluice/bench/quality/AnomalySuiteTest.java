package dev.sluice.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.report.TargetCheck;
import org.junit.jupiter.api.Test;

/** The anomaly suite measures every kind of injected anomaly and meets the targets. */
class AnomalySuiteTest {
  @Test
  void measuresPrecisionAndRecallOfEachKindAndMeetsTheTargets() {
    SuiteResult result = new AnomalySuite().run();
    assertThat(result.names())
        .containsExactly("row count drop", "row count spike", "null burst", "late data");
    for (String name : result.names()) {
      var metrics = result.find(name, "sluice").orElseThrow().metrics();
      assertThat(metrics.get("anomaliesFound").intValue()).as(name).isPositive();
      assertThat(metrics.get("recall").doubleValue()).as(name).isGreaterThanOrEqualTo(0.9);
    }
    assertThat(result.targets()).hasSize(2).allMatch(TargetCheck::met);
  }
}
