package dev.sluice.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Iceberg file access for the local warehouse, through Iceberg's own local files. Hadoop's local
 * file system, which Iceberg uses otherwise, starts a {@code chmod} process for every file it
 * creates when Hadoop's native library is absent (it always is here) and writes a {@code .crc} file
 * next to each: two process starts per metadata, manifest and manifest-list file, several per
 * commit, which was most of a small model's time.
 */
public final class LocalFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  private Map<String, String> properties = Map.of();

  /** Used by Iceberg's catalogs through the {@code io-impl} property. */
  public LocalFileIO() {}

  @Override
  public void initialize(Map<String, String> catalogProperties) {
    this.properties = Map.copyOf(catalogProperties);
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public InputFile newInputFile(String location) {
    return org.apache.iceberg.Files.localInput(LocalPaths.toLocalPath(location));
  }

  @Override
  public OutputFile newOutputFile(String location) {
    String path = LocalPaths.toLocalPath(location);
    // Iceberg's local output fails when another thread creates the same directory at the same
    // moment (two steps creating one table); createDirectories tolerates that race.
    Path parent = Path.of(path).getParent();
    if (parent != null) {
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the directory of " + location, e);
      }
    }
    return org.apache.iceberg.Files.localOutput(path);
  }

  @Override
  public void deleteFile(String location) {
    try {
      Files.deleteIfExists(Path.of(LocalPaths.toLocalPath(location)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + location, e);
    }
  }
}
