package dev.sluice.core.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The names dbt gives its generic tests ({@code not_null_orders_id}, {@code
 * accepted_values_orders_status__placed__shipped}), as dbt-core's {@code
 * synthesize_generic_test_names} makes them: the test, the resource, then the arguments' values by
 * argument name; a name of 64 characters and more is the first 30 of the test and resource and the
 * MD5 of the whole.
 */
final class DbtTestNames {
  private DbtTestNames() {}

  /**
   * The name of a test's node (and its {@code store_failures} table).
   *
   * @param test the test's name, with its package: {@code dbt_utils.not_constant}
   * @param resource the model or seed, or a source table as {@code source.table}
   * @param arguments its arguments and {@code column_name}
   */
  static String shortName(String test, String resource, Map<String, Object> arguments) {
    String full = fullName(test, resource, arguments);
    if (full.length() < 64) {
      return full;
    }
    String identifier = identifier(test, resource);
    return identifier.substring(0, Math.min(30, identifier.length())) + "_" + md5(full);
  }

  /** The whole name, which dbt's unique ids use. */
  static String fullName(String test, String resource, Map<String, Object> arguments) {
    List<String> flat = new ArrayList<>();
    new TreeMap<>(arguments)
        .forEach(
            (name, value) -> {
              if (name.equals("model")) {
                return;
              }
              if (value instanceof Map<?, ?> map) {
                map.values().forEach(part -> flat.add(python(part)));
              } else if (value instanceof List<?> list) {
                list.forEach(part -> flat.add(python(part)));
              } else {
                flat.add(python(value));
              }
            });
    List<String> clean = flat.stream().map(part -> part.replaceAll("[^0-9a-zA-Z_]+", "_")).toList();
    return identifier(test, resource) + "_" + String.join("__", clean);
  }

  private static String identifier(String test, String resource) {
    int dot = resource.indexOf('.');
    // a source table's tests: source_not_null_<source>_<table>
    String target =
        dot < 0 ? resource : resource.substring(0, dot) + "_" + resource.substring(dot + 1);
    String type = (dot < 0 ? "" : "source_") + test.replace('.', '_');
    return type + "_" + target;
  }

  /** A value as Python's {@code str()} writes it. */
  private static String python(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof Boolean flag) {
      return flag ? "True" : "False";
    }
    return String.valueOf(value);
  }

  static String md5(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from the JVM", e);
    }
  }
}
