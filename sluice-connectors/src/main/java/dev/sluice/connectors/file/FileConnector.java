package dev.sluice.connectors.file;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.OptionProblem;
import dev.sluice.api.connector.SeedSpec;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.objectstore.ObjectStore;
import dev.sluice.objectstore.StoredObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} connector: reads CSV, JSON and Parquet files found by a path or glob, with
 * DuckDB's readers.
 *
 * <ul>
 *   <li>Files are matched as described in {@link SourceFiles} and read in path order; each is
 *       identified by its path relative to the project and its SHA-256 checksum. In append mode, a
 *       file whose path and checksum were loaded before is skipped, so a changed file is read
 *       again. A file whose inode, size and times did not change since its last read is not read
 *       again for its checksum ({@link FileChecksums}; {@code checksums: always} reads it).
 *   <li>The staged table has the data columns, then {@code _source_file} (the file's path). With
 *       declared columns it has exactly those, in that order and with those types; without, the
 *       types are inferred and the columns of all files are united by name.
 *   <li>A malformed record (a CSV row with too many or too few values or a broken quote, a line
 *       that is not a JSON object, a value that does not convert to its column's type) fails the
 *       load with file, line, column and problem; when the table quarantines, it is staged as a
 *       rejected record instead. Every record of a file is either staged or rejected.
 *   <li>A file that cannot be read, or is not of the format (an empty or non-Parquet {@code
 *       .parquet} file, a non-JSON {@code .json} file), fails the load whatever {@code on_error}
 *       says.
 * </ul>
 *
 * <p>A path {@code s3://bucket/prefix/*.csv} reads objects of S3-compatible storage, identified by
 * their location and ETag instead of path and checksum (see {@link ObjectSource}); the {@code s3:}
 * settings arrive as options.
 *
 * <p>The options are described by {@link FileOptions}, the CSV options by {@link CsvOption}.
 */
public final class FileConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(FileConnector.class);

  @Override
  public String type() {
    return "file";
  }

  @Override
  public String description() {
    return "CSV, JSON and Parquet files found by a path or glob";
  }

  /** Files, tracked by path and checksum; it also reads seeds, which are CSV files. */
  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.LOADS_FILES, Capability.READS_SEEDS);
  }

  /**
   * {@inheritDoc}
   *
   * <p>File sources give {@code path}, {@code format} and {@code mode} as keys of the table, the
   * CSV options in the table's {@code csv:} block and the storage settings in the source's {@code
   * s3:} block (see {@link FileOptions}).
   */
  @Override
  public List<ConnectorOption> options() {
    return FileOptions.declarations();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The path must be a valid glob or S3 URL whose extension tells the format when {@code format}
   * is not given; {@code csv:} options apply to CSV files only, and a delimiter or quote is one
   * character.
   */
  @Override
  public List<OptionProblem> check(ConnectorOptions options) {
    return FileOptions.check(options);
  }

  /** In mode {@code append} (the default), a load reads only files not loaded before. */
  @Override
  public boolean incremental(ConnectorOptions options) {
    return "append".equals(options.choice(FileOptions.MODE));
  }

  /** The path or glob. */
  @Override
  public String origin(ConnectorOptions options) {
    String path = options.string(FileOptions.PATH);
    return path == null ? "" : path;
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.sluice.api.DataException for a malformed record when the table does not quarantine,
   *     or for a file that cannot be read as its format
   * @throws InvalidInputException for an unknown format, a bad option or an invalid glob
   */
  @Override
  public StagedData stage(SourceTableSpec spec, LoadState state, EngineSession session) {
    requireNonNull(spec, "spec is null");
    requireNonNull(state, "state is null");
    requireNonNull(session, "session is null");
    SourceTableSpec table = ObjectSource.withoutStorageOptions(spec);
    FileFormat format = FileFormat.of(FileOptions.format(table));
    // a CSV file's long records are found in the pass that checksums it
    Supplier<CsvLongRecords.Scanner> scanner = null;
    if (format == FileFormat.CSV) {
      CsvOptions csv = CsvOptions.parse(FileOptions.formatOptions(table));
      scanner = () -> new CsvLongRecords.Scanner(csv.quote(), csv.escape());
    } else if (!FileOptions.formatOptions(table).isEmpty()) {
      throw new InvalidInputException(
          "Options "
              + FileOptions.formatOptions(table).keySet()
              + " of "
              + table.source()
              + "."
              + table.table()
              + " apply only to CSV files, but the format is "
              + format.displayName());
    }
    for (SourceTableSpec.Column column : table.columns()) {
      if (Staging.isReserved(column.name())) {
        throw new InvalidInputException(
            "Column '"
                + column.name()
                + "' of "
                + table.source()
                + "."
                + table.table()
                + " has a name Sluice adds to every loaded row; choose another name");
      }
    }
    long started = System.nanoTime();
    List<InputFile> files;
    if (ObjectSource.isObjectPath(FileOptions.path(spec))) {
      files = newObjects(spec, state);
    } else {
      FileChecksums checksums = checksums(table);
      files =
          state.replay() != null
              ? filesIn(
                  table,
                  ModifiedWindow.of(state.replay(), table.source() + "." + table.table()),
                  scanner,
                  checksums)
              : newFiles(table, state, scanner, checksums);
      checksums.save();
    }
    LOG.debug(
        "Found and checksummed {} files in {} ms",
        files.size(),
        (System.nanoTime() - started) / 1_000_000);
    if (files.isEmpty()) {
      LOG.debug(
          "No new files for {}.{} at {}", table.source(), table.table(), FileOptions.path(table));
      return StagedData.nothingNew(Map.of());
    }
    Staging staging = new Staging(table, session);
    List<SourceFile> read = files.stream().map(InputFile::toSourceFile).toList();
    // files read again (replayed, or changed since they were loaded) replace their old rows
    boolean again =
        state.replay() != null
            || (table.append()
                && read.stream().anyMatch(f -> state.loadedFiles().containsKey(f.path())));
    try {
      // a view and a table of one name cannot replace each other
      staging.dropRelation(staging.stagedTable());
      staging.createRejectedTable();
      if (format == FileFormat.CSV && !again) {
        StagedData.AfterScan afterScan = new CsvStager().stageAsView(staging, files);
        if (afterScan != null) {
          LOG.debug(
              "Staged {}.{} as a view over {} files", table.source(), table.table(), read.size());
          return StagedData.readOnScan(
              staging.stagedTable(),
              read,
              Map.of(),
              () -> {
                try {
                  return afterScan.afterScan();
                } catch (RuntimeException e) {
                  dropAfterFailure(staging, e);
                  throw e;
                }
              });
        }
      }
      long rows = stager(format).stage(staging, files);
      staging.failOnRejected(format == FileFormat.PARQUET ? "row" : "line");
      long rejected = staging.count(staging.rejectedTable());
      String rejectedRelation = rejected > 0 ? staging.rejectedTable() : null;
      if (rejected == 0) {
        staging.drop(staging.rejectedTable());
      }
      staging.dropWorkTables();
      LOG.debug(
          "Staged {} rows ({} rejected) of {}.{} from {} files",
          rows,
          rejected,
          table.source(),
          table.table(),
          read.size());
      return StagedData.builder()
          .relation(staging.stagedTable(), rows)
          .rejected(rejectedRelation, rejected)
          .files(read)
          .write(again ? StagedData.Write.merge(List.of(Staging.SOURCE_FILE)) : null)
          .build();
    } catch (RuntimeException e) {
      dropAfterFailure(staging, e);
      throw e;
    }
  }

  /** The seed's CSV file, read as a file source of that one file in mode full would read it. */
  @Override
  public StagedData stageSeed(SeedSpec seed, EngineSession session) {
    requireNonNull(seed, "seed is null");
    SourceTableSpec spec =
        new SourceTableSpec(
            "seed",
            seed.name(),
            seed.projectDirectory(),
            false,
            false,
            FileOptions.with(
                seed.csvFile().toString(),
                FileFormat.CSV.displayName(),
                seed.delimiter().equals(",")
                    ? Map.of()
                    : Map.of(CsvOption.DELIMITER.key(), seed.delimiter())),
            seed.columns());
    return stage(spec, LoadState.empty(), session).materialized(session);
  }

  private static void dropAfterFailure(Staging staging, RuntimeException failure) {
    try {
      staging.dropAll();
    } catch (RuntimeException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  /** Whether files exist whose name and checksum were not loaded before (in any mode). */
  @Override
  public boolean hasNewData(SourceTableSpec table, LoadState state) {
    if (ObjectSource.isObjectPath(FileOptions.path(table))) {
      ObjectSource source = ObjectSource.of(table);
      try (ObjectStore store = source.open()) {
        for (StoredObject object : source.list(store)) {
          String loaded = state.loadedFiles().get(object.location().toString());
          if (!ObjectSource.checksum(object).equals(loaded)) {
            return true;
          }
        }
      }
      return false;
    }
    Path project = table.projectDirectory();
    FileChecksums checksums = checksums(table);
    try {
      for (Path path : SourceFiles.resolve(project, FileOptions.path(table))) {
        InputFile file = InputFile.read(project, path, null, checksums);
        if (!file.checksum().equals(state.loadedFiles().get(file.name()))) {
          return true;
        }
      }
    } finally {
      checksums.save();
    }
    return false;
  }

  /** What earlier reads of the table's files found, unless the table reads them always. */
  private static FileChecksums checksums(SourceTableSpec table) {
    return FileOptions.keepsChecksums(table)
        ? FileChecksums.of(table.projectDirectory(), table.source(), table.table())
        : FileChecksums.NONE;
  }

  /**
   * {@inheritDoc}
   *
   * <p>With declared columns, those; without, the columns and types a load of the matching files
   * would stage, found by staging them in a scratch DuckDB (bad records are ignored). Cursor
   * candidates are the whole-number, date and timestamp columns; files declare no primary key.
   *
   * @throws InvalidInputException when no file matches and no columns are declared
   */
  @Override
  public DiscoveredSchema discover(SourceTableSpec table) {
    requireNonNull(table, "table is null");
    return FileDiscovery.discover(this, table);
  }

  /**
   * Replays the files modified in a window: {@code --from} and {@code --to} are times (see {@link
   * ModifiedWindow}).
   */
  @Override
  public boolean supportsReplay() {
    return true;
  }

  @Override
  public String replayWindowDescription() {
    return ModifiedWindow.DESCRIPTION;
  }

  /** The matching files modified in the window, loaded before or not. */
  private static List<InputFile> filesIn(
      SourceTableSpec table,
      ModifiedWindow window,
      Supplier<CsvLongRecords.Scanner> scanner,
      FileChecksums checksums) {
    Path project = table.projectDirectory();
    return checksummed(
        project,
        SourceFiles.resolve(project, FileOptions.path(table)).stream()
            .filter(window::contains)
            .toList(),
        scanner,
        checksums);
  }

  /**
   * The files with their checksums, in the given order. Checksums are computed on all cores:
   * SHA-256 of a large source (a gigabyte of CSV) takes seconds on one. With a scanner (CSV), the
   * same pass finds each file's long records. A file unchanged since an earlier pass is not read
   * ({@link FileChecksums}).
   */
  private static List<InputFile> checksummed(
      Path project,
      List<Path> paths,
      Supplier<CsvLongRecords.Scanner> scanner,
      FileChecksums checksums) {
    return paths.parallelStream()
        .map(
            path ->
                InputFile.read(project, path, scanner == null ? null : scanner.get(), checksums))
        .toList();
  }

  /**
   * The objects to read, downloaded: all matching objects, or in append mode those whose location
   * and ETag were not loaded before; for a replay, those last modified in the window.
   */
  private static List<InputFile> newObjects(SourceTableSpec spec, LoadState state) {
    ObjectSource source = ObjectSource.of(spec);
    ModifiedWindow window =
        state.replay() == null
            ? null
            : ModifiedWindow.of(state.replay(), spec.source() + "." + spec.table());
    try (ObjectStore store = source.open()) {
      List<StoredObject> objects = new ArrayList<>();
      for (StoredObject object : source.list(store)) {
        if (window != null) {
          if (window.contains(object.lastModified())) {
            objects.add(object);
          }
        } else if (!spec.append()
            || !ObjectSource.checksum(object)
                .equals(state.loadedFiles().get(object.location().toString()))) {
          objects.add(object);
        }
      }
      return source.download(store, objects);
    }
  }

  /** The files to read: all matching files, or in append mode those not loaded before. */
  private static List<InputFile> newFiles(
      SourceTableSpec table,
      LoadState state,
      Supplier<CsvLongRecords.Scanner> scanner,
      FileChecksums checksums) {
    Path project = table.projectDirectory();
    List<InputFile> files = new ArrayList<>();
    for (InputFile file :
        checksummed(
            project, SourceFiles.resolve(project, FileOptions.path(table)), scanner, checksums)) {
      if (table.append() && file.checksum().equals(state.loadedFiles().get(file.name()))) {
        continue;
      }
      files.add(file);
    }
    return files;
  }

  private static FormatStager stager(FileFormat format) {
    return switch (format) {
      case CSV -> new CsvStager();
      case JSON -> new JsonStager();
      case PARQUET -> new ParquetStager();
    };
  }
}
