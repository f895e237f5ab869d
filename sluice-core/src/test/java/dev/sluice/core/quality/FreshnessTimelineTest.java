package dev.sluice.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.api.Location;
import dev.sluice.core.project.FreshnessDef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Freshness, breaches and SLO attainment from a table's writes. */
class FreshnessTimelineTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Location HERE = new Location("sources/shop.yaml", 4);

  private static FreshnessDef freshness(String warn, String error, double fresh, String window) {
    return new FreshnessDef(
        warn == null ? null : Duration.parse(warn),
        error == null ? null : Duration.parse(error),
        null,
        new FreshnessDef.SloDef(fresh, Duration.parse(window), HERE),
        HERE,
        null);
  }

  private static FreshnessTimeline.Write at(long hours) {
    Instant at = T0.plus(Duration.ofHours(hours));
    return new FreshnessTimeline.Write(at, at);
  }

  @Test
  void aTableWrittenEveryHourIsFreshAndMeetsItsSlo() {
    FreshnessDef def = freshness("PT2H", "PT6H", 0.99, "P1D");
    List<FreshnessTimeline.Write> writes =
        java.util.stream.LongStream.rangeClosed(0, 48).mapToObj(FreshnessTimelineTest::at).toList();
    FreshnessTimeline.Result result =
        FreshnessTimeline.judge(def, writes, T0.plus(Duration.ofHours(48).plusMinutes(30)), null);
    assertThat(result.state()).isEqualTo(FreshnessTimeline.State.FRESH);
    assertThat(result.age()).isEqualTo(Duration.ofMinutes(30));
    assertThat(result.breaches()).isEmpty();
    assertThat(result.attainment()).isEqualTo(1.0);
    assertThat(result.budget()).isEqualTo(Duration.ofMillis(864_000));
    assertThat(result.budgetSpent()).isFalse();
  }

  @Test
  void aGapBeyondTheThresholdsIsABreachOfEachLevelAndSpendsTheBudget() {
    FreshnessDef def = freshness("PT2H", "PT6H", 0.9, "P1D");
    // writes at 0h, 1h, then none until 11h; judged at 24h
    List<FreshnessTimeline.Write> writes = List.of(at(0), at(1), at(11));
    FreshnessTimeline.Result result =
        FreshnessTimeline.judge(def, writes, T0.plus(Duration.ofHours(24)), null);
    // since 11h: older than 6h from 17h on
    assertThat(result.state()).isEqualTo(FreshnessTimeline.State.ERROR);
    assertThat(result.age()).isEqualTo(Duration.ofHours(13));
    assertThat(result.breaches())
        .extracting(
            FreshnessTimeline.Breach::level,
            FreshnessTimeline.Breach::start,
            FreshnessTimeline.Breach::end)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "warn", T0.plus(Duration.ofHours(3)), T0.plus(Duration.ofHours(11))),
            org.assertj.core.groups.Tuple.tuple(
                "error", T0.plus(Duration.ofHours(7)), T0.plus(Duration.ofHours(11))),
            org.assertj.core.groups.Tuple.tuple("warn", T0.plus(Duration.ofHours(13)), null),
            org.assertj.core.groups.Tuple.tuple("error", T0.plus(Duration.ofHours(17)), null));
    // stale (older than error_after): 7h-11h and 17h-24h, 11 of the 24 hours observed
    assertThat(result.stale()).isEqualTo(Duration.ofHours(11));
    assertThat(result.attainment()).isCloseTo(13.0 / 24, within(1e-9));
    assertThat(result.budgetSpent()).isTrue();
    assertThat(result.budgetLeft()).isEqualTo(Duration.ofMinutes(144).minusHours(11));
  }

  @Test
  void timeBeforeTheFirstWriteAndBeforeTheWindowDoesNotCount() {
    FreshnessDef def = freshness(null, "PT1H", 0.5, "PT10H");
    // first write at 20h, judged at 25h: observed from 20h (the window would start at 15h)
    FreshnessTimeline.Result result =
        FreshnessTimeline.judge(def, List.of(at(20)), T0.plus(Duration.ofHours(25)), null);
    assertThat(result.stale()).isEqualTo(Duration.ofHours(4));
    assertThat(result.attainment()).isCloseTo(1.0 / 5, within(1e-9));

    // a breach that ended before the window (1h to 5h) is not listed; one that lasted into it is
    FreshnessTimeline.Result later =
        FreshnessTimeline.judge(
            def, List.of(at(0), at(5), at(30)), T0.plus(Duration.ofHours(30)), null);
    assertThat(later.breaches())
        .extracting(FreshnessTimeline.Breach::start, FreshnessTimeline.Breach::end)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                T0.plus(Duration.ofHours(6)), T0.plus(Duration.ofHours(30))));
    assertThat(later.state()).isEqualTo(FreshnessTimeline.State.FRESH);
  }

  @Test
  void withoutWritesItWasNeverLoadedAndDataTimesComeFromTheColumn() {
    FreshnessDef def = freshness("PT2H", null, 0.99, "P30D");
    assertThat(FreshnessTimeline.judge(def, List.of(), T0, null).state())
        .isEqualTo(FreshnessTimeline.State.NEVER_LOADED);
    // a write at 10h of data as new as 5h: three hours later the data is 8h old
    FreshnessTimeline.Result result =
        FreshnessTimeline.judge(
            def,
            List.of(
                new FreshnessTimeline.Write(
                    T0.plus(Duration.ofHours(10)), T0.plus(Duration.ofHours(5)))),
            T0.plus(Duration.ofHours(13)),
            null);
    assertThat(result.state()).isEqualTo(FreshnessTimeline.State.WARN);
    assertThat(result.age()).isEqualTo(Duration.ofHours(8));
    assertThat(FreshnessTimeline.parseDataTime("2024-03-01 10:00:00"))
        .isEqualTo(Instant.parse("2024-03-01T10:00:00Z"));
    assertThat(FreshnessTimeline.parseDataTime("2024-03-01 10:00:00.5+02"))
        .isEqualTo(Instant.parse("2024-03-01T08:00:00.5Z"));
    assertThat(FreshnessTimeline.parseDataTime("2024-03-01"))
        .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    assertThat(FreshnessTimeline.parseDataTime("soon")).isNull();
  }
}
