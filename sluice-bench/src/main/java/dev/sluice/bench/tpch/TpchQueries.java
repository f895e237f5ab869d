package dev.sluice.bench.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The 22 TPC-H queries with the specification's validation parameters, written once in SQL that
 * DuckDB and Spark both accept. Tables are written {@code ${lineitem}}, to be replaced by each
 * system's name for them (a Sluice {@code source()} call, a DuckDB view, a Spark catalog table).
 */
public final class TpchQueries {
  private static final Pattern TABLE = Pattern.compile("\\$\\{([a-z]+)}");

  private TpchQueries() {}

  /** A query: its name ({@code q01} ... {@code q22}) and its SQL with table placeholders. */
  public record Query(String name, String template) {
    /** The SQL with every {@code ${table}} replaced by {@code names.apply(table)}. */
    public String render(UnaryOperator<String> names) {
      Matcher matcher = TABLE.matcher(template);
      StringBuilder sql = new StringBuilder();
      while (matcher.find()) {
        matcher.appendReplacement(sql, Matcher.quoteReplacement(names.apply(matcher.group(1))));
      }
      matcher.appendTail(sql);
      return sql.toString();
    }
  }

  public static List<Query> all() {
    List<Query> queries = new ArrayList<>();
    for (int i = 1; i <= 22; i++) {
      String name = String.format(Locale.ROOT, "q%02d", i);
      queries.add(new Query(name, resource("/tpch/" + name + ".sql")));
    }
    return queries;
  }

  private static String resource(String name) {
    try (InputStream in = TpchQueries.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
