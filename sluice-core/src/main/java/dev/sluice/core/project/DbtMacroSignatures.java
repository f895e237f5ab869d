package dev.sluice.core.project;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets a macro's default value be a string with parentheses or commas, as dbt_utils writes them
 * ({@code order_by='count(*) desc'}, {@code delimiter="', '"}): Jinjava reads a {@code {% macro %}}
 * signature up to its first {@code )} and splits it at every comma. Such a string is written as a
 * name that stands for it ({@link #rewrite}), which {@link DbtMacroTag} binds to the string while
 * it reads the signature ({@link #literals}). Lines and the rest of the text are unchanged.
 */
final class DbtMacroSignatures {
  /** The names that stand for a string: the prefix, then the string's UTF-8 bytes in hex. */
  private static final String PREFIX = "__sluice_literal_";

  private static final Pattern START =
      Pattern.compile("\\{%-?\\s*(?:macro|test)\\s+[A-Za-z_][A-Za-z0-9_]*\\s*\\(");

  private static final Pattern NAME = Pattern.compile(PREFIX + "([0-9a-f]+)");

  /** The names that stand for a default's expression: the prefix, then its UTF-8 bytes in hex. */
  private static final String EXPRESSION_PREFIX = "__sluice_default_";

  private static final Pattern EXPRESSION = Pattern.compile(EXPRESSION_PREFIX + "([0-9a-f]+)");

  private DbtMacroSignatures() {}

  /** The template with the string defaults Jinjava would misread written as names. */
  static String rewrite(String template) {
    if (!template.contains("macro") && !template.contains("test")) {
      return template;
    }
    Matcher start = START.matcher(template);
    StringBuilder out = null;
    int copied = 0;
    while (start.find()) {
      int open = start.end() - 1;
      StringBuilder signature = new StringBuilder();
      int depth = 0;
      int i = open;
      boolean changed = false;
      for (; i < template.length(); i++) {
        char c = template.charAt(i);
        if (c == '\'' || c == '"') {
          int close = template.indexOf(c, i + 1);
          while (close > 0 && template.charAt(close - 1) == '\\') {
            close = template.indexOf(c, close + 1);
          }
          if (close < 0) {
            break;
          }
          String literal = template.substring(i + 1, close);
          if (literal.indexOf('(') >= 0 || literal.indexOf(')') >= 0 || literal.indexOf(',') >= 0) {
            signature
                .append(PREFIX)
                .append(
                    HexFormat.of().formatHex(unescape(literal).getBytes(StandardCharsets.UTF_8)));
            changed = true;
          } else {
            signature.append(template, i, close + 1);
          }
          i = close;
          continue;
        }
        signature.append(c);
        if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          break;
        }
      }
      if (depth == 0 && i < template.length()) {
        String expressions = withExpressionNames(signature.toString());
        changed |= !expressions.equals(signature.toString());
        signature = new StringBuilder(expressions);
      }
      if (changed && depth == 0 && i < template.length()) {
        if (out == null) {
          out = new StringBuilder(template.length());
        }
        out.append(template, copied, open).append(signature);
        copied = i + 1;
      }
    }
    if (out == null) {
      return template;
    }
    return out.append(template, copied, template.length()).toString();
  }

  /**
   * A signature {@code (a, b=var('x') | int)} whose defaults that hold a call or a comma ({@code
   * var('insert_batch_size') | int}, which Jinjava would cut at its first {@code )}) are written as
   * names that stand for them, which {@link DbtMacroTag} binds to {@link
   * DbtMacroFunction.DefaultExpression}s, evaluated at each call that leaves the argument out.
   */
  private static String withExpressionNames(String signature) {
    StringBuilder out = new StringBuilder("(");
    int depth = 0;
    int start = 1;
    for (int i = 1; i < signature.length(); i++) {
      char c = signature.charAt(i);
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        depth--;
      } else if ((c == ',' || c == ')') && depth == 0) {
        out.append(argument(signature.substring(start, i))).append(c);
        start = i + 1;
      }
    }
    return out.toString();
  }

  private static String argument(String argument) {
    int equals = argument.indexOf('=');
    if (equals < 0) {
      return argument;
    }
    String expression = argument.substring(equals + 1).strip();
    if (expression.indexOf('(') < 0 && expression.indexOf(',') < 0) {
      return argument;
    }
    return argument.substring(0, equals + 1)
        + EXPRESSION_PREFIX
        + HexFormat.of().formatHex(expression.getBytes(StandardCharsets.UTF_8));
  }

  /** The expressions the names in a signature stand for, by name. */
  static Map<String, String> expressions(String signature) {
    Map<String, String> expressions = new java.util.HashMap<>();
    Matcher name = EXPRESSION.matcher(signature);
    while (name.find()) {
      expressions.put(
          name.group(), new String(HexFormat.of().parseHex(name.group(1)), StandardCharsets.UTF_8));
    }
    return expressions;
  }

  /** The strings the names in a signature stand for, by name. */
  static Map<String, String> literals(String signature) {
    Map<String, String> literals = new java.util.HashMap<>();
    Matcher name = NAME.matcher(signature);
    while (name.find()) {
      literals.put(
          name.group(), new String(HexFormat.of().parseHex(name.group(1)), StandardCharsets.UTF_8));
    }
    return literals;
  }

  private static String unescape(String literal) {
    return literal.replace("\\'", "'").replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
