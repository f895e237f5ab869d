package dev.sluice.api.timing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseTimerTest {
  @Test
  void marksWithoutATimerMeasureNothingAndReturnTheResult() {
    assertThat(PhaseTimer.time(StepPhase.ENGINE, () -> 42)).isEqualTo(42);
    PhaseTimer.enter(StepPhase.CATALOG).close();
  }

  @Test
  void timeCountsForTheInnermostPhaseAndTheTotalsAddUp() {
    Map<StepPhase, Duration> totals;
    long started = System.nanoTime();
    try (PhaseTimer.Binding binding = PhaseTimer.bind()) {
      PhaseTimer.run(
          StepPhase.CATALOG, () -> PhaseTimer.run(StepPhase.METADATA, PhaseTimerTest::work));
      PhaseTimer.run(StepPhase.ENGINE, PhaseTimerTest::work);
      totals = binding.totals();
    }
    long elapsed = System.nanoTime() - started;
    assertThat(totals).containsOnlyKeys(StepPhase.values());
    assertThat(totals.get(StepPhase.METADATA)).isPositive();
    assertThat(totals.get(StepPhase.ENGINE)).isPositive();
    assertThat(totals.get(StepPhase.PUBLISH)).isZero();
    Duration sum = totals.values().stream().reduce(Duration.ZERO, Duration::plus);
    assertThat(sum.toNanos()).isLessThanOrEqualTo(elapsed);
    // unbound: nothing more is measured
    assertThat(PhaseTimer.time(StepPhase.ENGINE, () -> 1)).isEqualTo(1);
  }

  @Test
  void aMarkClosedOutOfOrderEndsOnlyItsOwnPhase() {
    try (PhaseTimer.Binding binding = PhaseTimer.bind()) {
      PhaseTimer.Mark manifest = PhaseTimer.enter(StepPhase.MANIFEST);
      PhaseTimer.Mark metadata = PhaseTimer.enter(StepPhase.METADATA);
      manifest.close();
      metadata.close();
      manifest.close();
      Duration before = binding.totals().get(StepPhase.METADATA);
      work();
      // back in no phase: the work counts as other, not as metadata or manifest
      assertThat(binding.totals().get(StepPhase.METADATA)).isEqualTo(before);
      assertThat(binding.totals().get(StepPhase.OTHER)).isPositive();
    }
  }

  @Test
  void aBindingInsideABindingAddsToTheOuterTimer() {
    try (PhaseTimer.Binding outer = PhaseTimer.bind()) {
      try (PhaseTimer.Binding inner = PhaseTimer.bind()) {
        PhaseTimer.run(StepPhase.CHECKS, PhaseTimerTest::work);
      }
      assertThat(outer.totals().get(StepPhase.CHECKS)).isPositive();
    }
  }

  private static void work() {
    long until = System.nanoTime() + 100_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
