package dev.sluice.api.engine;

import java.util.List;

/**
 * One SELECT as the engine's own parser read it, which reaches nothing but the tables it names.
 *
 * @param tables the tables it names, in order, common table expressions left out
 */
public record ParsedSelect(List<TableReference> tables) {
  public ParsedSelect {
    tables = List.copyOf(tables);
  }
}
