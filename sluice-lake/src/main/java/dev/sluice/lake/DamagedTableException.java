package dev.sluice.lake;

import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;

/**
 * A table whose current metadata file is missing or is not valid JSON: it cannot be read or written
 * until it is rolled back to its previous metadata file ({@code sluice repair}) or dropped.
 */
public final class DamagedTableException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final TableName table;
  private final String metadataLocation;

  DamagedTableException(TableName table, String metadataLocation, String problem) {
    super(
        "Table "
            + table
            + " is damaged: its current metadata file "
            + metadataLocation
            + " "
            + problem
            + ". Roll it back to its previous metadata file with 'sluice repair "
            + table
            + "' (the table loses its last commit, which the next run makes again), or"
            + " remove it with 'sluice drop "
            + table
            + " --force' and rebuild it with 'sluice run'");
    this.table = table;
    this.metadataLocation = metadataLocation;
  }

  public TableName table() {
    return table;
  }

  /** The damaged file the catalog points to. */
  public String metadataLocation() {
    return metadataLocation;
  }
}
