package dev.sluice.connectors.file;

import java.util.List;

/** Stages files of one format. */
interface FormatStager {
  /**
   * Stages the good rows of the files in {@link Staging#stagedTable()} and, when the table
   * quarantines, the bad records in {@link Staging#rejectedTable()} (already created).
   *
   * @return how many rows were staged
   * @throws dev.sluice.api.DataException for a malformed record when not quarantining, or a file
   *     that cannot be read as the format
   */
  long stage(Staging staging, List<InputFile> files);
}
