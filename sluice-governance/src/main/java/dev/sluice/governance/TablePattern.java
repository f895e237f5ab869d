package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Locale;

/**
 * Which tables a grant covers: {@code zone.table} (or, in a dbt project, {@code schema.table})
 * where either part may be a glob ({@code *}, {@code ?}, {@code [ab]}), e.g. {@code published.*},
 * {@code curated.orders_*}, {@code *.*}. The {@code raw} zone is covered only by a pattern whose
 * zone part is literally {@code raw}: a wildcard zone never reaches landing data.
 */
public record TablePattern(String text) {
  public TablePattern {
    requireNonNull(text, "text is null");
    text = text.strip().toLowerCase(Locale.ROOT);
  }

  /** Whether the text has the {@code zone.table} form; the problem to report, or null. */
  public String problem() {
    return problem(java.util.Set.of());
  }

  /**
   * Whether the text has the {@code zone.table} or {@code namespace.table} form, with a namespace
   * among {@code namespaces} (a dbt project's schemas); the problem to report, or null.
   */
  public String problem(java.util.Set<String> namespaces) {
    int dot = text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
      return "'" + text + "' is not a zone.table pattern";
    }
    String zone = zone();
    if (!isGlob(zone) && Zone.fromName(zone).isEmpty() && !namespaces.contains(zone)) {
      return "'" + zone + "' is not a zone" + (namespaces.isEmpty() ? "" : " or a schema");
    }
    return null;
  }

  /** The zone part, e.g. {@code published} or {@code *}. */
  public String zone() {
    int dot = text.indexOf('.');
    return dot < 0 ? text : text.substring(0, dot);
  }

  /** The table part, e.g. {@code orders_*}. */
  public String table() {
    int dot = text.indexOf('.');
    return dot < 0 ? "" : text.substring(dot + 1);
  }

  /** Whether the pattern names one table, without wildcards. */
  public boolean isExact() {
    return !isGlob(text);
  }

  /** Whether the pattern covers {@code name}; raw tables only by a literal {@code raw} zone. */
  public boolean matches(TableName name) {
    String zone = name.zone().toLowerCase(Locale.ROOT);
    if (zone.equals(Zone.RAW.namespace()) && !zone().equals(Zone.RAW.namespace())) {
      return false;
    }
    return glob(zone(), zone) && glob(table(), name.name().toLowerCase(Locale.ROOT));
  }

  private static boolean glob(String pattern, String value) {
    if (!isGlob(pattern)) {
      return pattern.equals(value);
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    return matcher.matches(Path.of(value));
  }

  private static boolean isGlob(String text) {
    return text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
