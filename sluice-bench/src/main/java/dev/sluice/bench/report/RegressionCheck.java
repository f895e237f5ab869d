package dev.sluice.bench.report;

import static java.util.Objects.requireNonNull;

import dev.sluice.bench.report.ReportFigures.Figure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A report compared with a reference report: every figure both have (each median time, each Sluice
 * / DuckDB-direct ratio) and the ones more than {@link #THRESHOLD} worse. Times depend on the
 * machine's load; the ratios, of two systems measured side by side in one run, much less.
 *
 * @param reference the reference report
 * @param compared how many figures both reports have
 * @param regressions the figures more than {@link #THRESHOLD} worse, worst first
 */
public record RegressionCheck(ReportFigures reference, int compared, List<Regression> regressions) {
  /** A figure is a regression when it is more than this fraction worse than the reference's. */
  public static final double THRESHOLD = 0.10;

  public RegressionCheck {
    requireNonNull(reference, "reference is null");
    regressions = List.copyOf(regressions);
  }

  /**
   * A figure worse than the reference's.
   *
   * @param reference the reference report's figure
   * @param current this report's
   */
  public record Regression(Figure reference, Figure current) {
    /** How much worse, as a fraction: 0.25 is 25 % worse. */
    public double worse() {
      return current.value() / reference.value() - 1;
    }
  }

  /** Compares {@code current} with {@code reference}, figure by figure. */
  public static RegressionCheck compare(ReportFigures current, ReportFigures reference) {
    Map<String, Figure> before =
        reference.figures().stream()
            .collect(Collectors.toMap(Figure::key, Function.identity(), (a, b) -> a));
    int compared = 0;
    List<Regression> regressions = new ArrayList<>();
    for (Figure figure : current.figures()) {
      Figure old = before.get(figure.key());
      if (old == null || !(old.value() > 0)) {
        continue;
      }
      compared++;
      if (figure.value() > old.value() * (1 + THRESHOLD)) {
        regressions.add(new Regression(old, figure));
      }
    }
    regressions.sort(Comparator.comparingDouble(Regression::worse).reversed());
    return new RegressionCheck(reference, compared, regressions);
  }

  /**
   * The newest reference report under {@code results} (its directories and their sub-directories,
   * as a run over several scales writes them) at {@code scale} that measured at least one of {@code
   * suites}, other than the one in {@code excluded}; newest by the time its run started.
   */
  public static Optional<ReportFigures> newestReference(
      Path results, double scale, Set<String> suites, Path excluded) {
    if (!Files.isDirectory(results)) {
      return Optional.empty();
    }
    Path skip = excluded.toAbsolutePath().normalize();
    try (Stream<Path> files = Files.find(results, 3, (path, attributes) -> isResults(path))) {
      return files
          .map(Path::getParent)
          .filter(dir -> !dir.toAbsolutePath().normalize().equals(skip))
          .map(RegressionCheck::readQuietly)
          .flatMap(Optional::stream)
          .filter(ReportFigures::reference)
          .filter(report -> report.scale() == scale)
          .filter(report -> report.suites().stream().anyMatch(suites::contains))
          .max(Comparator.comparing(ReportFigures::started));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look for reference reports in " + results, e);
    }
  }

  private static boolean isResults(Path path) {
    return path.getFileName() != null && path.getFileName().toString().equals("results.json");
  }

  /** A report, or nothing for a results.json that is not one (another tool's, a broken one). */
  private static Optional<ReportFigures> readQuietly(Path directory) {
    try {
      return Optional.of(ReportFigures.read(directory));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return Optional.empty();
    }
  }
}
