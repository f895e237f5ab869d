package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.objects.collections.PyList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;

/**
 * Python's dict methods on a template's dicts, as dbt's Jinja2 has them, whatever map Sluice or
 * Jinjava made: {@code config.get('alias')} gives none for a missing key, {@code d.get(k, default)}
 * the default, {@code d.items()} the pairs {@code for k, v in} takes, {@code keys()}, {@code
 * values()}, {@code pop(k[, default])}, {@code setdefault(k[, default])}, {@code update(other)}. A
 * key a dict holds as none ({@code node.config.alias}) is none too. Asked before Jinjava's own
 * resolver ({@link DbtJinjava}); other methods go on to Java's.
 */
final class PythonDicts extends PythonMethods {
  static final Set<String> METHODS =
      Set.of("get", "items", "keys", "values", "pop", "setdefault", "update");

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof Map<?, ?> map) || !METHODS.contains(String.valueOf(method))) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(map, String.valueOf(method), args);
    context.setPropertyResolved(true);
    if (result == null) {
      DbtJinjava.Interpreter.noteNone(JinjavaInterpreter.getCurrent());
    }
    return result;
  }

  @SuppressWarnings("unchecked") // Jinja's dicts are mutable maps of any keys
  private static Object call(Map<?, ?> map, String method, Object[] args) {
    Object key = args.length > 0 ? args[0] : null;
    Object fallback = args.length > 1 ? args[1] : null;
    return switch (method) {
      case "get" -> map.containsKey(key) ? map.get(key) : fallback;
      case "items" -> items(map);
      case "keys" -> new PyList(new ArrayList<>(map.keySet()));
      case "values" -> new PyList(new ArrayList<>(map.values()));
      case "pop" -> map.containsKey(key) ? map.remove(key) : fallback;
      case "setdefault" -> {
        if (!map.containsKey(key)) {
          ((Map<Object, Object>) map).put(key, fallback);
        }
        yield map.get(key);
      }
      case "update" -> {
        if (args.length > 0 && args[0] instanceof Map<?, ?> other) {
          ((Map<Object, Object>) map).putAll(other);
        }
        yield "";
      }
      default -> throw new IllegalStateException("Unhandled dict method " + method);
    };
  }

  /** The pairs, each a list of key and value: {@code for k, v in} and {@code item[0]} take it. */
  private static PyList items(Map<?, ?> map) {
    List<Object> pairs = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      List<Object> pair = new ArrayList<>(2);
      pair.add(entry.getKey());
      pair.add(entry.getValue());
      pairs.add(new PyList(pair));
    }
    return new PyList(pairs);
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    // a key the dict holds as none is none, as in Python (a key it lacks is for Jinjava's resolver)
    if (base instanceof Map<?, ?> map
        && property != null
        && map.get(property) == null
        && map.containsKey(property)) {
      context.setPropertyResolved(true);
      DbtJinjava.Interpreter.noteNone(JinjavaInterpreter.getCurrent());
    }
    return null;
  }
}
