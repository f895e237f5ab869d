package dev.sluice.bench.report;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** Which reference report a benchmark report is compared with ({@code sluice bench --compare}). */
public sealed interface ReferenceChoice {
  /**
   * The reference report for a run at {@code scale} of {@code suites} writing to {@code output};
   * empty when there is none to compare with.
   *
   * @throws IllegalArgumentException if a given directory holds no benchmark report
   */
  Optional<ReportFigures> reference(double scale, Set<String> suites, Path output);

  /** The newest committed reference report at the same scale with a suite in common. */
  static ReferenceChoice newestUnder(Path results) {
    return new Newest(results);
  }

  /** The report in {@code directory}, whether marked as a reference or not. */
  static ReferenceChoice directory(Path directory) {
    return new Directory(directory);
  }

  /** No comparison. */
  static ReferenceChoice none() {
    return new Nothing();
  }

  /**
   * The newest reference report under a directory.
   *
   * @param results the directory of committed reports, {@code bench/results}
   */
  record Newest(Path results) implements ReferenceChoice {
    public Newest {
      requireNonNull(results, "results is null");
    }

    @Override
    public Optional<ReportFigures> reference(double scale, Set<String> suites, Path output) {
      return RegressionCheck.newestReference(results, scale, suites, output);
    }
  }

  /**
   * A given report.
   *
   * @param directory the report to compare with
   */
  record Directory(Path directory) implements ReferenceChoice {
    public Directory {
      requireNonNull(directory, "directory is null");
    }

    @Override
    public Optional<ReportFigures> reference(double scale, Set<String> suites, Path output) {
      return Optional.of(ReportFigures.read(directory));
    }
  }

  /** No comparison. */
  record Nothing() implements ReferenceChoice {
    @Override
    public Optional<ReportFigures> reference(double scale, Set<String> suites, Path output) {
      return Optional.empty();
    }
  }
}
