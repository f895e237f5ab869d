package dev.sluice.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepResultTest {
  @Test
  void aResultMovedNothingUntilToldOtherwise() {
    StepResult result =
        StepResult.builder("orders", StepKind.MODEL, "curated.orders")
            .status(StepStatus.SUCCEEDED)
            .build();
    assertThat(result)
        .isEqualTo(
            new StepResult(
                "orders",
                StepKind.MODEL,
                "curated.orders",
                StepStatus.SUCCEEDED,
                0,
                0,
                0,
                0,
                0,
                null,
                Duration.ZERO,
                List.of(),
                List.of(),
                null,
                null,
                null,
                java.util.Map.of()));
  }

  @Test
  void aResultRebuiltFromItsBuilderIsTheSameAndAStatusIsRequired() {
    StepResult result =
        StepResult.builder("daily", StepKind.MODEL, "curated.daily")
            .status(StepStatus.FAILED)
            .rowsIn(1)
            .rowsOut(2)
            .bytesIn(3)
            .bytesOut(4)
            .rejectedRows(5)
            .snapshotId(6L)
            .duration(Duration.ofSeconds(7))
            .detail("detail")
            .error("error")
            .failure(new IllegalStateException("boom"))
            .build();
    assertThat(result.toBuilder().build()).isEqualTo(result);
    assertThat(result.withAsset("daily[2024-03-01]").asset()).isEqualTo("daily[2024-03-01]");
    assertThat(result.withAsset("daily[2024-03-01]").rowsOut()).isEqualTo(2);
    assertThatThrownBy(() -> StepResult.builder("a", StepKind.MODEL, "curated.a").build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("status is null");
  }
}
