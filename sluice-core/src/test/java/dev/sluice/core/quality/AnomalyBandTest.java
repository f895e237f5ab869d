package dev.sluice.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.quality.AnomalyBand.Point;
import dev.sluice.core.quality.AnomalyBand.Sensitivity;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyBandTest {
  /** Four weeks of a table that loads 1,000 rows on weekdays and 500 at weekends, give or take. */
  private static List<Point> fourWeeks() {
    List<Point> history = new ArrayList<>();
    double[] wobble = {0.98, 1.01, 1.0, 1.02, 0.99, 1.0, 0.97};
    for (int week = 0; week < 4; week++) {
      for (DayOfWeek day : DayOfWeek.values()) {
        double base = day.getValue() >= 6 ? 500 : 1000;
        history.add(new Point(day, base * wobble[(day.ordinal() + week) % 7]));
      }
    }
    return history;
  }

  @Test
  void tooLittleHistoryIsNotJudged() {
    AnomalyBand.Verdict verdict =
        AnomalyBand.judge(
            5, DayOfWeek.MONDAY, fourWeeks().subList(0, 13), Sensitivity.MEDIUM, 14, 0.5);
    assertThat(verdict.judged()).isFalse();
    assertThat(verdict.anomalous()).isFalse();
    assertThat(verdict.used()).isEqualTo(13);
  }

  @Test
  void aWeekdayIsComparedWithItsOwnWeekday() {
    // 500 rows is a normal Sunday and an anomalous Monday
    AnomalyBand.Verdict sunday =
        AnomalyBand.judge(500, DayOfWeek.SUNDAY, fourWeeks(), Sensitivity.MEDIUM, 14, 0.5);
    assertThat(sunday.judged()).isTrue();
    assertThat(sunday.seasonal()).isTrue();
    assertThat(sunday.anomalous()).isFalse();
    AnomalyBand.Verdict monday =
        AnomalyBand.judge(500, DayOfWeek.MONDAY, fourWeeks(), Sensitivity.MEDIUM, 14, 0.5);
    assertThat(monday.anomalous()).isTrue();
    assertThat(monday.low()).isGreaterThan(500).isLessThan(1000);
    assertThat(monday.high()).isGreaterThan(1000);
    assertThat(monday.median()).isBetween(980.0, 1020.0);
  }

  @Test
  void aPastSpikeDoesNotWidenTheBandAndSensitivityNarrowsIt() {
    List<Point> history = fourWeeks();
    history.set(3, new Point(history.get(3).day(), 50_000));
    AnomalyBand.Verdict low =
        AnomalyBand.judge(1300, DayOfWeek.MONDAY, history, Sensitivity.LOW, 14, 0.5);
    AnomalyBand.Verdict high =
        AnomalyBand.judge(1300, DayOfWeek.MONDAY, history, Sensitivity.HIGH, 14, 0.5);
    assertThat(high.high() - high.low()).isLessThan(low.high() - low.low());
    assertThat(high.anomalous()).isTrue();
  }

  @Test
  void aHistoryThatNeverChangedStillAllowsTheFloor() {
    List<Point> flat = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      flat.add(new Point(DayOfWeek.of(i % 7 + 1), 0.0));
    }
    assertThat(
            AnomalyBand.judge(0.005, DayOfWeek.MONDAY, flat, Sensitivity.HIGH, 14, 0.01)
                .anomalous())
        .isFalse();
    assertThat(
            AnomalyBand.judge(0.3, DayOfWeek.MONDAY, flat, Sensitivity.HIGH, 14, 0.01).anomalous())
        .isTrue();
  }

  @Test
  void sensitivityIsLowMediumOrHigh() {
    assertThat(Sensitivity.parse("high")).isEqualTo(Sensitivity.HIGH);
    assertThatThrownBy(() -> Sensitivity.parse("extreme"))
        .hasMessageContaining("sensitivity must be low, medium or high, got 'extreme'");
  }
}
