package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StepKeyTest {
  @Test
  void aStepIsNamedByItsAssetAndPartition() {
    assertThat(StepKey.of("shop.orders").name()).isEqualTo("shop.orders");
    assertThat(StepKey.of("daily", "2024-03-01").name()).isEqualTo("daily[2024-03-01]");
    assertThat(StepKey.of("daily", "*").name()).isEqualTo("daily[*]");
    assertThat(StepKey.of("daily", "2024-03-01").partitioned()).isTrue();
    assertThat(StepKey.of("daily").partitioned()).isFalse();
  }

  @Test
  void aNameReadsBackAsTheSameKey() {
    for (StepKey key :
        new StepKey[] {
          StepKey.of("shop.orders"),
          StepKey.of("daily", "2024-03-01"),
          StepKey.of("daily", "2024-03-01..2024-03-07"),
          StepKey.of("by_region", "2024-03-01|eu"),
          StepKey.of("daily", "*")
        }) {
      assertThat(StepKey.parse(key.name())).isEqualTo(key);
    }
  }

  @Test
  void whatIsNoStepNameIsRefused() {
    for (String name : new String[] {"", "[2024-03-01]", "daily[", "daily[]", "daily[x"}) {
      assertThatThrownBy(() -> StepKey.parse(name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> StepKey.of("daily", "")).isInstanceOf(IllegalArgumentException.class);
  }
}
