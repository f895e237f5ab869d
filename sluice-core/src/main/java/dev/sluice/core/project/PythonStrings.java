package dev.sluice.core.project;

import com.hubspot.jinjava.el.ext.NamedParameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;

/**
 * Python's string methods on a template's strings, as dbt's Jinja2 has them ({@code
 * name.startswith('stg_')}, {@code col.strip()}, {@code 'a,b'.split(',')}, {@code '{}_{}'.format(a,
 * b)}): Jinjava's strings are Java's, which lack them. An EL resolver that Sluice's Jinjava asks
 * before its own ({@link DbtJinjava}); other methods go on to Java's.
 */
final class PythonStrings extends PythonMethods {
  static final Set<String> METHODS =
      Set.of(
          "startswith",
          "endswith",
          "strip",
          "lstrip",
          "rstrip",
          "split",
          "replace",
          "upper",
          "lower",
          "title",
          "capitalize",
          "format",
          "find",
          "count",
          "join",
          "isdigit",
          "isalpha",
          "isupper",
          "islower");

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String text) || !METHODS.contains(String.valueOf(method))) {
      return null;
    }
    List<Object> positional = new ArrayList<>();
    Map<String, Object> named = new LinkedHashMap<>();
    for (Object param : params == null ? new Object[0] : params) {
      if (param instanceof NamedParameter parameter) {
        named.put(parameter.getName(), parameter.getValue());
      } else {
        positional.add(param);
      }
    }
    Object result = call(text, String.valueOf(method), positional, named);
    context.setPropertyResolved(true);
    return result;
  }

  private static Object call(
      String text, String method, List<Object> args, Map<String, Object> named) {
    return switch (method) {
      case "startswith" -> anyOf(args, 0).stream().anyMatch(text::startsWith);
      case "endswith" -> anyOf(args, 0).stream().anyMatch(text::endsWith);
      case "strip" -> stripEnd(stripStart(text, chars(args)), chars(args));
      case "lstrip" -> stripStart(text, chars(args));
      case "rstrip" -> stripEnd(text, chars(args));
      case "split" -> split(text, args);
      case "replace" -> replace(text, args);
      case "upper" -> text.toUpperCase(Locale.ROOT);
      case "lower" -> text.toLowerCase(Locale.ROOT);
      case "title" -> title(text);
      case "capitalize" ->
          text.isEmpty()
              ? text
              : text.substring(0, 1).toUpperCase(Locale.ROOT)
                  + text.substring(1).toLowerCase(Locale.ROOT);
      case "format" -> format(text, args, named);
      case "find" -> text.indexOf(argument(args, 0, method));
      case "count" -> count(text, argument(args, 0, method));
      case "join" -> join(text, args);
      case "isdigit" -> !text.isEmpty() && text.chars().allMatch(Character::isDigit);
      case "isalpha" -> !text.isEmpty() && text.chars().allMatch(Character::isLetter);
      case "isupper" ->
          text.chars().anyMatch(Character::isLetter) && text.equals(text.toUpperCase(Locale.ROOT));
      case "islower" ->
          text.chars().anyMatch(Character::isLetter) && text.equals(text.toLowerCase(Locale.ROOT));
      default -> throw new IllegalStateException("Unhandled string method " + method);
    };
  }

  private static String argument(List<Object> args, int index, String method) {
    if (args.size() <= index || args.get(index) == null) {
      throw new IllegalArgumentException("str." + method + "() needs an argument");
    }
    return String.valueOf(args.get(index));
  }

  /** A prefix or suffix, or a tuple (list) of them, as startswith takes. */
  private static List<String> anyOf(List<Object> args, int index) {
    Object value = args.isEmpty() ? null : args.get(index);
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return List.of(argument(args, index, "startswith"));
  }

  /** The characters strip() removes: its argument, else whitespace (null). */
  private static String chars(List<Object> args) {
    return args.isEmpty() || args.get(0) == null ? null : String.valueOf(args.get(0));
  }

  private static String stripStart(String text, String chars) {
    int start = 0;
    while (start < text.length() && removable(text.charAt(start), chars)) {
      start++;
    }
    return text.substring(start);
  }

  private static String stripEnd(String text, String chars) {
    int end = text.length();
    while (end > 0 && removable(text.charAt(end - 1), chars)) {
      end--;
    }
    return text.substring(0, end);
  }

  private static boolean removable(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  /** Python's split: by a literal separator (at most maxsplit times), or by runs of whitespace. */
  private static List<String> split(String text, List<Object> args) {
    String separator = args.isEmpty() || args.get(0) == null ? null : String.valueOf(args.get(0));
    int limit = args.size() > 1 ? ((Number) args.get(1)).intValue() : -1;
    List<String> parts = new ArrayList<>();
    if (separator == null) {
      String rest = stripStart(text, null);
      while (!rest.isEmpty()) {
        if (limit >= 0 && parts.size() == limit) {
          parts.add(rest);
          return parts;
        }
        int end = 0;
        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
          end++;
        }
        parts.add(rest.substring(0, end));
        rest = stripStart(rest.substring(end), null);
      }
      return parts;
    }
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("str.split(): empty separator");
    }
    int start = 0;
    int found;
    while ((limit < 0 || parts.size() < limit) && (found = text.indexOf(separator, start)) >= 0) {
      parts.add(text.substring(start, found));
      start = found + separator.length();
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static String replace(String text, List<Object> args) {
    String old = argument(args, 0, "replace");
    String replacement = argument(args, 1, "replace");
    int count = args.size() > 2 ? ((Number) args.get(2)).intValue() : -1;
    if (count < 0) {
      return text.replace(old, replacement);
    }
    StringBuilder result = new StringBuilder();
    int start = 0;
    for (int done = 0; done < count; done++) {
      int found = text.indexOf(old, start);
      if (found < 0) {
        break;
      }
      result.append(text, start, found).append(replacement);
      start = found + old.length();
    }
    return result.append(text.substring(start)).toString();
  }

  private static String title(String text) {
    StringBuilder result = new StringBuilder(text.length());
    boolean previousLetter = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      result.append(previousLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousLetter = Character.isLetter(c);
    }
    return result.toString();
  }

  private static int count(String text, String part) {
    if (part.isEmpty()) {
      return text.length() + 1;
    }
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      count++;
    }
    return count;
  }

  private static String join(String separator, List<Object> args) {
    if (args.isEmpty() || !(args.get(0) instanceof Iterable<?> items)) {
      throw new IllegalArgumentException("str.join() takes a list");
    }
    List<String> texts = new ArrayList<>();
    items.forEach(item -> texts.add(String.valueOf(item)));
    return String.join(separator, texts);
  }

  /**
   * Python's {@code str.format}: {@code {}} (the next argument), {@code {0}}, {@code {name}}, with
   * an optional {@code :.2f} (a number's decimals) or {@code :d}; doubled braces are braces.
   */
  private static String format(String text, List<Object> args, Map<String, Object> named) {
    StringBuilder result = new StringBuilder();
    int next = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < text.length() && text.charAt(i + 1) == c) {
        result.append(c);
        i += 2;
        continue;
      }
      if (c != '{') {
        result.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i);
      if (close < 0) {
        throw new IllegalArgumentException("str.format(): '{' without '}' in '" + text + "'");
      }
      String field = text.substring(i + 1, close);
      String spec = "";
      int colon = field.indexOf(':');
      if (colon >= 0) {
        spec = field.substring(colon + 1);
        field = field.substring(0, colon);
      }
      Object value;
      if (field.isEmpty()) {
        value = positional(args, next++, text);
      } else if (field.chars().allMatch(Character::isDigit)) {
        value = positional(args, Integer.parseInt(field), text);
      } else if (named.containsKey(field)) {
        value = named.get(field);
      } else {
        throw new IllegalArgumentException(
            "str.format(): no argument named '" + field + "' for '" + text + "'");
      }
      result.append(formatted(value, spec));
      i = close + 1;
    }
    return result.toString();
  }

  private static Object positional(List<Object> args, int index, String text) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(
          "str.format(): '" + text + "' needs more than " + args.size() + " arguments");
    }
    return args.get(index);
  }

  private static String formatted(Object value, String spec) {
    if (spec.isEmpty()) {
      return value == null ? "None" : String.valueOf(value);
    }
    if (spec.matches("\\.\\d+f") && value instanceof Number number) {
      return String.format(
          Locale.ROOT, "%." + spec.substring(1, spec.length() - 1) + "f", number.doubleValue());
    }
    if (spec.equals("d") && value instanceof Number number) {
      return String.valueOf(number.longValue());
    }
    throw new IllegalArgumentException(
        "str.format(): the format spec ':" + spec + "' is not supported (use :.2f or :d)");
  }
}
