package dev.sluice.lake;

import java.nio.file.Path;

/** Data files in a local warehouse directory: written and read where they live. */
final class LocalWarehouseFiles implements WarehouseFiles {
  @Override
  public Path newDataFile(String location) {
    return Path.of(LocalPaths.toLocalPath(location));
  }

  @Override
  public String store(Path written) {
    return written.toString();
  }

  @Override
  public String readablePath(String location) {
    return LocalPaths.toLocalPath(location);
  }

  @Override
  public void close() {}
}
