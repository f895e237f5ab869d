package dev.sluice.api.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StagedDataTest {
  private static final SourceFile FILE = new SourceFile("data/a.csv", "abc", 12);

  @Test
  void aBuilderStartsWithNothingAndSetsWhatItIsGiven() {
    StagedData staged =
        StagedData.builder()
            .relation("stage_shop_orders", 3)
            .rejected("stage_shop_orders__rejected", 1)
            .files(List.of(FILE))
            .state(Map.of("cursor", "7"))
            .write(StagedData.Write.merge(List.of("id")))
            .build();

    assertThat(staged)
        .isEqualTo(
            new StagedData(
                "stage_shop_orders",
                3,
                "stage_shop_orders__rejected",
                1,
                List.of(FILE),
                Map.of("cursor", "7"),
                StagedData.Write.merge(List.of("id")),
                null,
                false));
    assertThat(staged.bytesRead()).isEqualTo(12);
    assertThat(StagedData.builder().build())
        .isEqualTo(StagedData.nothingNew(Map.of()))
        .satisfies(nothing -> assertThat(nothing.nothingNew()).isTrue());
  }

  @Test
  void aRelationReadOnScanKeepsItsValuesWhenScanned() {
    StagedData lazy =
        StagedData.readOnScan(
            "stage_shop_orders",
            List.of(FILE),
            Map.of(),
            () -> new StagedData.Rejected("stage_shop_orders__rejected", 2));

    StagedData scanned = lazy.scanned(5);

    assertThat(scanned.readsOnScan()).isFalse();
    assertThat(scanned.toBuilder().build()).isEqualTo(scanned);
    assertThat(scanned.rows()).isEqualTo(5);
    assertThat(scanned.rejectedRelation()).isEqualTo("stage_shop_orders__rejected");
    assertThat(scanned.rejectedRows()).isEqualTo(2);
    assertThat(scanned.files()).containsExactly(FILE);
  }

  @Test
  void aStateOnlyResultStagesNoRows() {
    StagedData stateOnly = StagedData.stateOnly(Map.of("lsn", "0/16B3748"));

    assertThat(stateOnly.stateOnly()).isTrue();
    assertThat(stateOnly.nothingNew()).isTrue();
    assertThatThrownBy(() -> stateOnly.toBuilder().relation("stage_t", 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A state-only result stages no rows");
  }
}
