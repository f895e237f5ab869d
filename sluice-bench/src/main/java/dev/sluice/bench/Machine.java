package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the benchmarks ran on: cores, memory, CPU, operating system and JVM. */
public final class Machine {
  private Machine() {}

  public static Map<String, String> describe() {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    machine.put("memory", memInfo("MemTotal"));
    machine.put("cpu", cpuModel());
    machine.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " ("
            + System.getProperty("os.arch")
            + ")");
    machine.put(
        "jvm",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    machine.put("jvm max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    machine.put("load average at start (1, 5, 15 min)", loadAverage());
    return machine;
  }

  /** The load average: on a shared machine, how busy it was with other work. */
  public static String loadAverage() {
    List<String> lines = lines(Path.of("/proc/loadavg"));
    if (lines.isEmpty()) {
      return "unknown";
    }
    String[] fields = lines.get(0).split(" ", -1);
    return fields.length < 3 ? "unknown" : fields[0] + ", " + fields[1] + ", " + fields[2];
  }

  /** The 1-minute load average, or -1 when it cannot be read. */
  public static double loadAverageOneMinute() {
    List<String> lines = lines(Path.of("/proc/loadavg"));
    try {
      return lines.isEmpty() ? -1 : Double.parseDouble(lines.get(0).split(" ", -1)[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String memInfo(String key) {
    for (String line : lines(Path.of("/proc/meminfo"))) {
      if (line.startsWith(key + ":")) {
        long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return String.format(java.util.Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
      }
    }
    return "unknown";
  }

  private static String cpuModel() {
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return System.getProperty("os.arch");
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The peak resident set size of a process (VmHWM), in bytes, or -1 when unknown. */
  public static long peakRss(long pid) {
    for (String line : lines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** The peak resident set size of this JVM, in bytes, or -1 when unknown. */
  public static long peakRssOfThisProcess() {
    return peakRss(ProcessHandle.current().pid());
  }

  /** The peak resident set size of this JVM in mebibytes, as the reports' notes give it. */
  public static String peakRssOfThisProcessText() {
    return (peakRssOfThisProcess() >> 20) + " MiB";
  }
}
