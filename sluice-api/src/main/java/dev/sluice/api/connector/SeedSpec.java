package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * A seed of the project, as a connector that {@linkplain SourceConnector.Capability#READS_SEEDS
 * reads seeds} is given it.
 *
 * @param name the seed's name
 * @param projectDirectory the project root that {@code csvFile} is relative to
 * @param csvFile the CSV file, with a header, relative to the project root
 * @param columns the declared columns, or empty to infer them
 * @param delimiter the character between the file's values
 */
public record SeedSpec(
    String name,
    Path projectDirectory,
    Path csvFile,
    List<SourceTableSpec.Column> columns,
    String delimiter) {
  /** A comma-separated seed. */
  public SeedSpec(
      String name, Path projectDirectory, Path csvFile, List<SourceTableSpec.Column> columns) {
    this(name, projectDirectory, csvFile, columns, ",");
  }

  public SeedSpec {
    requireNonNull(delimiter, "delimiter is null");
    requireNonNull(name, "name is null");
    requireNonNull(projectDirectory, "projectDirectory is null");
    requireNonNull(csvFile, "csvFile is null");
    columns = List.copyOf(columns);
  }
}
