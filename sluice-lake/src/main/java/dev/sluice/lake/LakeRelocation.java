package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.SluiceException;
import dev.sluice.api.io.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.view.ViewMetadata;
import org.apache.iceberg.view.ViewMetadataParser;

/**
 * Points a local warehouse's catalog at the warehouse's current directory after the project was
 * moved or copied ({@code sluice relocate}). Each table's metadata is rewritten as Iceberg's
 * table-path rewrite does ({@link RewriteTablePathUtil}: the metadata file, every manifest list and
 * every manifest, with the old warehouse prefix replaced by the new one), reading the files in the
 * new directory; data files are not touched. The rewritten manifest lists and manifests are staged
 * first and then moved over the ones in the new directory (never the originals of a copy); the
 * tables' new metadata files are new files; the catalog switches all tables in one transaction.
 */
public final class LakeRelocation {
  private static final String METADATA_DIRECTORY = "/metadata/";
  private static final String STAGING_PREFIX = ".relocate-";

  /** What a relocation did. */
  public record Result(String from, String to, int tables, int views) {}

  private record Entry(String namespace, String name, String metadataLocation, String type) {}

  private record Switch(Entry entry, String newMetadataLocation, String previousMetadataLocation) {}

  private final Path warehouse;
  private final String target;
  private final String catalogUrl;
  private final Map<String, String> connectionProperties;
  private final LocalFileIO io = new LocalFileIO();

  private LakeRelocation(Path warehouse, String catalogUrl, Map<String, String> properties) {
    this.warehouse = warehouse.toAbsolutePath().normalize();
    this.target = this.warehouse.toString();
    this.catalogUrl = requireNonNull(catalogUrl, "catalogUrl is null");
    this.connectionProperties = Map.copyOf(properties);
  }

  /**
   * Rewrites the paths of every table and view of the catalog that lies outside {@code warehouse}
   * so that it lies inside it. Tables already inside are left alone, so running it twice is safe.
   *
   * @throws InvalidInputException when a table's files are not in {@code warehouse} (the warehouse
   *     directory was not moved or copied with the project)
   */
  public static Result relocate(
      Path warehouse, String catalogUrl, Map<String, String> connectionProperties) {
    return new LakeRelocation(warehouse, catalogUrl, connectionProperties).run();
  }

  private Result run() {
    recoverInterrupted();
    List<Entry> entries = entries();
    String from = null;
    Path staging = warehouse.resolve(STAGING_PREFIX + UUID.randomUUID());
    Path backup = staging.resolve("backup");
    Path staged = staging.resolve("staged");
    List<Switch> switches = new ArrayList<>();
    Map<Path, Path> moves = new LinkedHashMap<>();
    int tables = 0;
    int views = 0;
    try {
      for (Entry entry : entries) {
        String source = sourceWarehouse(entry);
        if (source.equals(target)) {
          continue;
        }
        from = source;
        String current = RewriteTablePathUtil.newPath(entry.metadataLocation(), source, target);
        if (!Files.isRegularFile(Path.of(current))) {
          throw new InvalidInputException(
              "Cannot relocate "
                  + entry.namespace()
                  + "."
                  + entry.name()
                  + ": its metadata file is not in this warehouse at "
                  + current
                  + " (the catalog names "
                  + entry.metadataLocation()
                  + "). Move or copy the whole warehouse directory with the project, then run"
                  + " 'sluice relocate' again");
        }
        FileIO mapped = new PrefixMappingFileIO(io, source, target);
        String newMetadata = newMetadataLocation(current);
        if ("VIEW".equalsIgnoreCase(entry.type())) {
          ViewMetadata view = ViewMetadataParser.read(io.newInputFile(current));
          ViewMetadata moved =
              ViewMetadata.buildFrom(view)
                  .setLocation(RewriteTablePathUtil.newPath(view.location(), source, target))
                  .build();
          ViewMetadataParser.write(moved, io.newOutputFile(newMetadata));
          views++;
        } else {
          stageTable(TableMetadataParser.read(io, current), mapped, source, staged, moves);
          TableMetadata metadata = TableMetadataParser.read(io, current);
          TableMetadataParser.write(
              RewriteTablePathUtil.replacePaths(metadata, source, target),
              io.newOutputFile(newMetadata));
          tables++;
        }
        switches.add(new Switch(entry, newMetadata, current));
      }
      // each file replaced is kept in backup/ until the catalog has switched: an interrupted
      // relocation is undone by the next one (recoverInterrupted)
      for (Map.Entry<Path, Path> move : moves.entrySet()) {
        Path kept = backup.resolve(warehouse.relativize(move.getValue()).toString());
        Files.createDirectories(kept.getParent());
        Files.move(move.getValue(), kept, StandardCopyOption.ATOMIC_MOVE);
        Files.move(move.getKey(), move.getValue(), StandardCopyOption.ATOMIC_MOVE);
      }
      switchCatalog(switches);
      Directories.deleteRecursively(staging);
    } catch (IOException | RuntimeException e) {
      restore(staging);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot relocate the warehouse " + target, io);
      }
      throw (RuntimeException) e;
    }
    return new Result(from, target, tables, views);
  }

  /**
   * Finishes what an interrupted relocation left: when the catalog still names a table outside this
   * warehouse, the files it replaced are put back; else it had switched and only its staging
   * directory is left.
   */
  private void recoverInterrupted() {
    List<Path> leftovers;
    try (Stream<Path> children = Files.list(warehouse)) {
      leftovers =
          children
              .filter(path -> path.getFileName().toString().startsWith(STAGING_PREFIX))
              .toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + warehouse, e);
    }
    if (leftovers.isEmpty()) {
      return;
    }
    boolean switched = entries().stream().allMatch(entry -> sourceWarehouse(entry).equals(target));
    for (Path leftover : leftovers) {
      if (switched) {
        Directories.deleteRecursively(leftover);
      } else {
        restore(leftover);
      }
    }
  }

  /** Puts back the files an unfinished relocation replaced, and deletes its staging directory. */
  private void restore(Path staging) {
    Path backup = staging.resolve("backup");
    if (Files.isDirectory(backup)) {
      try (Stream<Path> paths = Files.walk(backup)) {
        for (Path kept : paths.filter(Files::isRegularFile).toList()) {
          Path original = warehouse.resolve(backup.relativize(kept).toString());
          Files.move(kept, original, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot undo the relocation staged in " + staging + "; run 'sluice relocate' again", e);
      }
    }
    Directories.deleteRecursively(staging);
  }

  /**
   * Writes the table's manifest lists and manifests with the paths replaced into the staging
   * directory, and records where each goes in the warehouse.
   */
  private void stageTable(
      TableMetadata metadata, FileIO mapped, String source, Path staging, Map<Path, Path> moves)
      throws IOException {
    String stagingDirectory = staging.toString() + "/";
    Set<Long> snapshotIds = new HashSet<>();
    Map<String, ManifestFile> manifests = new LinkedHashMap<>();
    for (Snapshot snapshot : metadata.snapshots()) {
      snapshotIds.add(snapshot.snapshotId());
      for (ManifestFile manifest : snapshot.allManifests(mapped)) {
        manifests.putIfAbsent(manifest.path(), manifest);
      }
    }
    // the manifests first: a manifest list records the length of each manifest it rewrites
    Map<String, Long> manifestLengths = new HashMap<>();
    for (ManifestFile manifest : manifests.values()) {
      if (manifest.content() != ManifestContent.DATA) {
        throw new SluiceException(
            "Cannot relocate a table with delete files (" + manifest.path() + ")");
      }
      String staged = RewriteTablePathUtil.stagingPath(manifest.path(), source, stagingDirectory);
      RewriteTablePathUtil.rewriteDataManifest(
          manifest,
          snapshotIds,
          mapped.newOutputFile(staged),
          mapped,
          metadata.formatVersion(),
          metadata.specsById(),
          source,
          target);
      manifestLengths.put(manifest.path(), mapped.newInputFile(staged).getLength());
      moves.put(
          Path.of(staged), Path.of(RewriteTablePathUtil.newPath(manifest.path(), source, target)));
    }
    for (Snapshot snapshot : metadata.snapshots()) {
      String list = snapshot.manifestListLocation();
      String staged = RewriteTablePathUtil.stagingPath(list, source, stagingDirectory);
      RewriteTablePathUtil.rewriteManifestList(
          snapshot, mapped, metadata, manifestLengths, source, target, stagingDirectory, staged);
      moves.put(Path.of(staged), Path.of(RewriteTablePathUtil.newPath(list, source, target)));
    }
  }

  /** The next metadata file of a table or view, beside its current one. */
  private static String newMetadataLocation(String current) {
    String directory = current.substring(0, current.lastIndexOf('/') + 1);
    String file = current.substring(current.lastIndexOf('/') + 1);
    int dash = file.indexOf('-');
    int version;
    try {
      version = dash < 0 ? 0 : Integer.parseInt(file.substring(0, dash));
    } catch (NumberFormatException e) {
      version = 0;
    }
    return directory
        + String.format(Locale.ROOT, "%05d-%s.metadata.json", version + 1, UUID.randomUUID());
  }

  /**
   * The warehouse a table lived in: its metadata file is at {@code
   * <warehouse>/<zone>/<name>/metadata/}.
   */
  private static String sourceWarehouse(Entry entry) {
    String location = LocalPaths.toLocalPath(entry.metadataLocation());
    String suffix = "/" + entry.namespace() + "/" + entry.name() + METADATA_DIRECTORY;
    int at = location.lastIndexOf(suffix);
    if (at <= 0 || location.indexOf('/', at + suffix.length()) >= 0) {
      throw new SluiceException(
          "Cannot relocate "
              + entry.namespace()
              + "."
              + entry.name()
              + ": its metadata file "
              + location
              + " is not in a <warehouse>/"
              + entry.namespace()
              + "/"
              + entry.name()
              + "/metadata directory");
    }
    return location.substring(0, at);
  }

  /** Masks the catalog's secrets (in the URL or the connection properties) in a message. */
  private String redact(String message) {
    List<String> secrets = new ArrayList<>();
    connectionProperties.forEach(
        (key, value) -> {
          if (Secrets.isSecretName(key)) {
            secrets.add(value);
          }
        });
    return Secrets.of(secrets).redact(message);
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.putAll(connectionProperties);
    return DriverManager.getConnection(catalogUrl, properties);
  }

  private List<Entry> entries() {
    List<Entry> entries = new ArrayList<>();
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT table_namespace, table_name, metadata_location, iceberg_type"
                    + " FROM iceberg_tables WHERE catalog_name = ?")) {
      statement.setString(1, Lake.CATALOG_NAME);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          entries.add(
              new Entry(
                  rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
        }
      }
    } catch (SQLException e) {
      throw new SluiceException(
          redact("Cannot read the Iceberg catalog at " + catalogUrl + ": " + e.getMessage()), e);
    }
    return entries;
  }

  /** Points every relocated table and view at its new metadata file, all or none. */
  private void switchCatalog(List<Switch> switches) {
    if (switches.isEmpty()) {
      return;
    }
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      try (PreparedStatement statement =
          connection.prepareStatement(
              "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?"
                  + " WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?"
                  + " AND metadata_location = ?")) {
        for (Switch change : switches) {
          statement.setString(1, change.newMetadataLocation());
          statement.setString(2, change.previousMetadataLocation());
          statement.setString(3, Lake.CATALOG_NAME);
          statement.setString(4, change.entry().namespace());
          statement.setString(5, change.entry().name());
          statement.setString(6, change.entry().metadataLocation());
          if (statement.executeUpdate() != 1) {
            connection.rollback();
            throw new SluiceException(
                "Cannot relocate "
                    + change.entry().namespace()
                    + "."
                    + change.entry().name()
                    + ": it changed while relocating; run 'sluice relocate' again");
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new SluiceException(
          redact("Cannot update the Iceberg catalog at " + catalogUrl + ": " + e.getMessage()), e);
    }
  }

  /** Reads the files of the old warehouse from the new one; writes where it is told. */
  private static final class PrefixMappingFileIO implements FileIO {
    private static final long serialVersionUID = 1L;
    private final LocalFileIO delegate;
    private final String source;
    private final String target;

    PrefixMappingFileIO(LocalFileIO delegate, String source, String target) {
      this.delegate = delegate;
      this.source = source;
      this.target = target;
    }

    private String map(String location) {
      String path = LocalPaths.toLocalPath(location);
      return path.startsWith(source + "/")
          ? RewriteTablePathUtil.newPath(path, source, target)
          : path;
    }

    @Override
    public InputFile newInputFile(String location) {
      return delegate.newInputFile(map(location));
    }

    @Override
    public OutputFile newOutputFile(String location) {
      return delegate.newOutputFile(location);
    }

    @Override
    public void deleteFile(String location) {
      throw new UnsupportedOperationException("relocation deletes nothing: " + location);
    }
  }
}
