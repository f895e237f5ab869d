package dev.sluice.core.project;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import dev.sluice.core.project.TemplateFunctions.Arguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dbt's functions of its Jinja context that are not about tables: {@code return}, {@code log},
 * {@code print}, {@code tojson}, {@code fromjson}, {@code toyaml}, {@code fromyaml}, {@code
 * local_md5}, {@code zip} and {@code set}. Jinjava calls them statically; like {@link
 * TemplateFunctions} they find their {@link TemplateSession} in the rendering's context.
 */
final class DbtFunctions {
  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.dbt");
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
              .disable(
                  com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature
                      .WRITE_DOC_START_MARKER));

  private DbtFunctions() {}

  /**
   * dbt's {@code return(value)}: ends the macro call being rendered, which gives that value instead
   * of its text. Outside a macro it is a problem, as in dbt.
   */
  public static String returnValue(Object... arguments) {
    TemplateSession session = TemplateFunctions.session();
    Arguments args = Arguments.of(arguments);
    int line = TemplateFunctions.line();
    if (session == null) {
      return "";
    }
    if (args.positional.size() != 1 || !args.named.isEmpty()) {
      session
          .problems()
          .add(
              session.currentLocation(line),
              "return() takes one value",
              "write e.g. {{ return(columns) }}");
      return "";
    }
    DbtMacroFunction.Frame frame = session.frame();
    if (frame == null) {
      session
          .problems()
          .add(
              session.currentLocation(line),
              "return() is used outside a macro",
              "return() ends a macro call with a value; use it inside {% macro %} ... {% endmacro %}");
      return "";
    }
    frame.returnValue(args.positional.get(0));
    return "";
  }

  /**
   * dbt's {@code log(message, info=False)}: writes the message to the log, at info level with
   * {@code info=True}, else at debug level, as dbt writes it to its log file only.
   */
  public static String log(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    Object message = args.positional.isEmpty() ? "" : args.positional.get(0);
    Object info =
        args.named.getOrDefault("info", args.positional.size() > 1 ? args.positional.get(1) : null);
    if (Boolean.TRUE.equals(info)) {
      LOG.info("{}: {}", where(), message);
    } else {
      LOG.debug("{}: {}", where(), message);
    }
    return "";
  }

  /**
   * dbt's {@code print(message)}: dbt prints to its standard output, which Sluice keeps for data;
   * the message goes to the log at info level (standard error).
   */
  public static String print(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    LOG.info("{}: {}", where(), args.positional.isEmpty() ? "" : args.positional.get(0));
    return "";
  }

  /** dbt's {@code tojson(value)}: the value as JSON text. */
  public static String toJson(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    try {
      return JSON.writeValueAsString(args.positional.isEmpty() ? null : args.positional.get(0));
    } catch (JsonProcessingException e) {
      return problem("tojson() cannot write the value: " + e.getOriginalMessage());
    }
  }

  /** dbt's {@code fromjson(text)}: the value of JSON text (maps, lists, strings, numbers). */
  public static Object fromJson(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    if (args.positional.isEmpty() || !(args.positional.get(0) instanceof String text)) {
      return problem("fromjson() takes JSON text");
    }
    try {
      return JSON.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      return problem("fromjson() cannot read the text: " + e.getOriginalMessage());
    }
  }

  /**
   * dbt's {@code toyaml(value, default=None, sort_keys=False)}: the value as YAML text (block
   * style, without the document marker).
   */
  public static String toYaml(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    try {
      String text =
          YAML.writeValueAsString(args.positional.isEmpty() ? null : args.positional.get(0));
      return text.startsWith("---") ? text.substring(text.indexOf('\n') + 1) : text;
    } catch (JsonProcessingException e) {
      return problem("toyaml() cannot write the value: " + e.getOriginalMessage());
    }
  }

  /** dbt's {@code fromyaml(text)}: the value of YAML text (maps, lists, strings, numbers). */
  public static Object fromYaml(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    if (args.positional.isEmpty() || !(args.positional.get(0) instanceof String text)) {
      return problem("fromyaml() takes YAML text");
    }
    try {
      return YAML.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      return problem("fromyaml() cannot read the text: " + e.getOriginalMessage());
    }
  }

  /** dbt's {@code local_md5(text)}: the MD5 of the text's UTF-8 bytes, in hex. */
  public static String localMd5(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    String text = args.positional.isEmpty() ? "" : String.valueOf(args.positional.get(0));
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("MD5")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from the JDK", e);
    }
  }

  /**
   * Python's {@code zip(a, b, ...)}, as dbt gives it to templates: lists of the items at each
   * position, as long as the shortest.
   */
  public static java.util.List<java.util.List<Object>> zip(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    java.util.List<java.util.List<Object>> lists = new java.util.ArrayList<>();
    for (Object argument : args.positional) {
      lists.add(DbtModules.items(argument));
    }
    java.util.List<java.util.List<Object>> zipped = new java.util.ArrayList<>();
    int length = lists.stream().mapToInt(java.util.List::size).min().orElse(0);
    for (int i = 0; i < length; i++) {
      java.util.List<Object> tuple = new java.util.ArrayList<>();
      for (java.util.List<Object> list : lists) {
        tuple.add(list.get(i));
      }
      zipped.add(tuple);
    }
    return zipped;
  }

  /** Python's {@code set(items)}, as dbt gives it to templates: the distinct items, in order. */
  public static PythonSet set(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    PythonSet set = new PythonSet();
    if (!args.positional.isEmpty()) {
      set.addAll(DbtModules.items(args.positional.get(0)));
    }
    return set;
  }

  /** A Python set: {@code add}, {@code update}, {@code union}, {@code intersection}, ... */
  public static final class PythonSet extends java.util.LinkedHashSet<Object> {
    private static final long serialVersionUID = 1L;

    /** {@code update(items)}: adds the items. */
    public boolean update(Object items) {
      return addAll(DbtModules.items(items));
    }

    /** {@code union(items)}: a new set with the items too. */
    public PythonSet union(Object items) {
      PythonSet union = new PythonSet();
      union.addAll(this);
      union.addAll(DbtModules.items(items));
      return union;
    }

    /** {@code intersection(items)}: a new set of the items this one has too. */
    public PythonSet intersection(Object items) {
      PythonSet intersection = new PythonSet();
      intersection.addAll(this);
      intersection.retainAll(DbtModules.items(items));
      return intersection;
    }

    /** {@code difference(items)}: a new set without the items. */
    public PythonSet difference(Object items) {
      PythonSet difference = new PythonSet();
      difference.addAll(this);
      DbtModules.items(items).forEach(difference::remove);
      return difference;
    }

    @Override
    public boolean equals(Object other) {
      return super.equals(other);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  private static String problem(String message) {
    TemplateSession session = TemplateFunctions.session();
    if (session != null) {
      session.problems().add(session.currentLocation(TemplateFunctions.line()), message, "");
    }
    return "";
  }

  /** Where a message comes from: the template's file and line, or the macro's. */
  private static String where() {
    TemplateSession session = TemplateFunctions.session();
    if (session == null) {
      return "template";
    }
    return session.currentLocation(JinjavaInterpreter.getCurrent().getLineNumber()).toString();
  }
}
