package dev.sluice.lake;

import dev.sluice.api.SluiceException;

/**
 * The catalog places the tables' files outside this project's warehouse: the project was moved or
 * copied. Reading would fail or read another copy's files, and writing would write into another
 * copy's warehouse, so nothing is done until {@code sluice relocate} rewrites the paths.
 */
public final class WarehouseMovedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  WarehouseMovedException(String tableLocation, String warehouse) {
    super(
        "The catalog places table files at "
            + tableLocation
            + ", outside this project's warehouse "
            + warehouse
            + ": the project was moved or copied. Run 'sluice relocate' to point the catalog at"
            + " this warehouse (it rewrites the tables' metadata; a copy then never writes into"
            + " the original)");
  }
}
