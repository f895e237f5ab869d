package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.iceberg.DataFile;

/**
 * A planned read together with the Iceberg description of each file it reads, for a write that
 * replaces some of those files (see {@link FileRewrite}).
 *
 * @param read the files as an engine reads them
 * @param files the description of each file, in the order of {@code read.dataFiles()}
 */
public record DataFileScan(TableScanFiles read, List<DataFile> files) {
  public DataFileScan {
    requireNonNull(read, "read is null");
    files = List.copyOf(files);
    if (files.size() != read.dataFiles().size()) {
      throw new IllegalArgumentException("One description is needed for each file read");
    }
  }

  /**
   * The description of the file an engine reads at {@code path}, one of {@code read.dataFiles()}.
   */
  public DataFile file(String path) {
    int index = read.dataFiles().indexOf(path);
    if (index < 0) {
      throw new IllegalArgumentException("Not a file of this read: " + path);
    }
    return files.get(index);
  }
}
