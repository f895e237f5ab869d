package dev.sluice.core.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The apportioning of the process's CPU time among work running at the same time, read from
 * counters the test moves (the process's own counters move by themselves).
 */
class ResourceMeterTest {
  private final AtomicLong cpu = new AtomicLong();
  private final AtomicLong memory = new AtomicLong(100);
  private final ResourceMeter meter = new ResourceMeter(cpu::get, memory::get);

  @Test
  void cpuTimeIsSplitEvenlyAmongTheWorkRunningAtTheSameTime() {
    ResourceMeter.Measurement first = meter.start();
    cpu.addAndGet(10_000_000); // 10 ms while only the first runs
    ResourceMeter.Measurement second = meter.start();
    cpu.addAndGet(20_000_000); // 20 ms while both run: 10 ms each
    memory.set(500);
    meter.sample();
    memory.set(200);
    first.stop();
    cpu.addAndGet(5_000_000); // 5 ms while only the second runs
    second.stop();
    cpu.addAndGet(50_000_000); // after both stopped: nobody's

    assertThat(first.cpuMillis()).isEqualTo(20);
    assertThat(second.cpuMillis()).isEqualTo(15);
    assertThat(first.peakMemoryBytes()).isEqualTo(500);
    assertThat(second.peakMemoryBytes()).isEqualTo(500);
    assertThat(first.stop().cpuMillis()).as("stopping twice adds nothing").isEqualTo(20);
  }

  @Test
  void cpuTimeUsedWhileNothingRanIsNotCharged() {
    cpu.addAndGet(70_000_000);
    ResourceMeter.Measurement measurement = meter.start();
    cpu.addAndGet(3_000_000);
    assertThat(measurement.stop().cpuNanos()).isEqualTo(3_000_000);
  }

  @Test
  void theProcessMeterReadsThisProcess() {
    assertThat(ResourceMeter.processCpuNanos()).isPositive();
    assertThat(ResourceMeter.residentBytes()).isPositive();
  }
}
