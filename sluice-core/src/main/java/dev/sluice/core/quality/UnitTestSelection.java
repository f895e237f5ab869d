package dev.sluice.core.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a command's selection chooses unit tests, as dbt reads {@code test_type:unit}: {@code
 * --exclude test_type:unit} runs none (and excludes no model), {@code --select test_type:unit}
 * alone runs only unit tests (no data tests).
 *
 * @param select the selection
 * @param exclude the exclusion without {@code test_type:unit}, for choosing assets
 * @param unitTests whether unit tests run
 * @param onlyUnitTests whether only unit tests run
 */
public record UnitTestSelection(
    List<String> select, List<String> exclude, boolean unitTests, boolean onlyUnitTests) {
  private static final String UNIT = "test_type:unit";

  public UnitTestSelection {
    select = List.copyOf(select);
    exclude = List.copyOf(exclude);
  }

  /** The selection of a command given {@code --select} and {@code --exclude}. */
  public static UnitTestSelection of(List<String> select, List<String> exclude) {
    List<String> kept = new ArrayList<>();
    boolean unitExcluded = false;
    for (String argument : exclude) {
      List<String> terms = new ArrayList<>();
      for (String term : argument.trim().split("\\s+", -1)) {
        if (term.toLowerCase(Locale.ROOT).equals(UNIT)) {
          unitExcluded = true;
        } else if (!term.isEmpty()) {
          terms.add(term);
        }
      }
      if (!terms.isEmpty()) {
        kept.add(String.join(" ", terms));
      }
    }
    boolean only = !select.isEmpty();
    for (String argument : select) {
      for (String term : argument.trim().split("\\s+", -1)) {
        if (!term.isEmpty() && !term.toLowerCase(Locale.ROOT).equals(UNIT)) {
          only = false;
        }
      }
    }
    return new UnitTestSelection(select, kept, !unitExcluded, only && !unitExcluded);
  }
}
