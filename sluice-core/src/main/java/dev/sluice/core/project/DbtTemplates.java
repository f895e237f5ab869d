package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What a dbt project's templates see besides Sluice's functions, when they are rendered for a run
 * as when the project is loaded: its macros (and dbt's own that it may call) and dbt's globals
 * ({@code target}). A {@code source()} of a dbt project renders its table without the columns the
 * load adds ({@code _source_file}, {@code _loaded_at}), since dbt-duckdb reads the file itself.
 */
public final class DbtTemplates {
  private final DbtMacros macros;
  private final Map<String, Object> globals;

  DbtTemplates(DbtMacros macros, Map<String, Object> globals) {
    this.macros = requireNonNull(macros, "macros is null");
    this.globals = Copies.orderedMap(globals);
  }

  DbtMacros macros() {
    return macros;
  }

  Map<String, Object> globals() {
    return globals;
  }

  /** Makes the project's macros and globals known in a session. */
  TemplateSession applyTo(TemplateSession session) {
    return session.withDbt(macros, globals);
  }
}
