package dev.sluice.api.connector;

import java.util.List;

/**
 * The result of staging: a temporary table of good rows and one of rejected records.
 *
 * @param relation the temporary table with the data columns plus {@code _source_file}
 * @param rows how many rows it holds
 * @param rejectedRelation the temporary table of rejected records ({@code _source_file VARCHAR,
 *     _line BIGINT, _raw_record VARCHAR, _reason VARCHAR}), or null when none were rejected
 * @param rejectedRows how many records were rejected
 * @param files the files read (empty when nothing was new)
 */
public record StagedData(
    String relation,
    long rows,
    String rejectedRelation,
    long rejectedRows,
    List<SourceFile> files) {
  public StagedData {
    files = List.copyOf(files);
  }

  public boolean nothingNew() {
    return files.isEmpty();
  }

  public long bytesRead() {
    return files.stream().mapToLong(SourceFile::sizeInBytes).sum();
  }
}
