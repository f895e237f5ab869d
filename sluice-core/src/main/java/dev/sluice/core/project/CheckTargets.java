package dev.sluice.core.project;

import static java.util.stream.Collectors.joining;

import dev.sluice.api.TableName;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The assets a check reads besides its own table: the {@code to:} of a relationships check, and the
 * refs and sources of a sql check's query. Checks run inside their asset's step, before publishing,
 * so these assets are upstream of the checked one.
 */
final class CheckTargets {
  private CheckTargets() {}

  /** The asset names the check reads (which may not exist: the loader reports those). */
  static Set<String> of(CheckDef check) {
    Set<String> targets = new LinkedHashSet<>();
    if (check.type().equals("relationships") && check.arguments().get("to") instanceof String to) {
      targets.add(to);
    }
    if (check.type().equals("sql") && check.arguments().get("query") instanceof String template) {
      // a generic test's macro gets its relations as arguments (to=ref('customers')): those are
      // what it reads besides its own table
      String query =
          check.arguments().get(DbtTests.READS) instanceof java.util.List<?> reads
              ? reads.stream().map(read -> "{{ " + read + " }}").collect(joining("\n"))
              : template;
      TemplateSession session =
          new TemplateSession(
              check.location(),
              false,
              false,
              false,
              Map.of(),
              name -> name.isEmpty() ? null : new TableName("curated", name),
              (source, table) ->
                  source.isEmpty() || table.isEmpty()
                      ? null
                      : new TableName("raw", source + "_" + table),
              new Problems());
      SqlRenderer.render(query, session, new TableName("curated", "this"));
      targets.addAll(session.refs().keySet());
      session.sources().keySet().forEach(source -> targets.add(source.assetName()));
    }
    return targets;
  }
}
