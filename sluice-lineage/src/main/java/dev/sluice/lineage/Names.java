package dev.sluice.lineage;

import java.util.Locale;

/** SQL identifiers as the analysis compares them: unquoted, in lower case. */
final class Names {
  private Names() {}

  static String unquote(String identifier) {
    return identifier == null ? null : withoutQuotes(identifier).toLowerCase(Locale.ROOT);
  }

  /** The identifier without its quotes, in the case it is written in. */
  static String withoutQuotes(String identifier) {
    String name = identifier;
    if (name.length() >= 2
        && ((name.startsWith("\"") && name.endsWith("\""))
            || (name.startsWith("`") && name.endsWith("`")))) {
      name = name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name;
  }
}
