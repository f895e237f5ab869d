package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A macro a dbt unit test overrides ({@code overrides: {macros: {name: value}}}): whatever it is
 * called with, it gives the test's value, as dbt's {@code UnitTestMacroGenerator} does.
 */
final class UnitTestMacroOverride extends MacroFunction {
  private static final Logger LOG = LoggerFactory.getLogger(UnitTestMacroOverride.class);
  private static final String DBT = "dbt";

  private final Object value;

  private UnitTestMacroOverride(String name, Object value, Context context) {
    super(List.of(), name, new LinkedHashMap<>(), false, context, 0, 0);
    this.value = value;
  }

  @Override
  public Object doEvaluate(
      Map<String, Object> argMap, Map<String, Object> kwargMap, List<Object> varArgs) {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return super.equals(other);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }

  /**
   * Replaces the overridden macros of a rendering's context, as dbt builds a unit test's context:
   * {@code package.name} replaces the package's macro (and, for dbt's own, the global one), a plain
   * {@code name} the global macro (and dbt's own of that name). A name the context does not have is
   * left alone, as dbt leaves it.
   */
  static void apply(Context context, Map<String, Object> overrides) {
    Map<String, Object> global = new LinkedHashMap<>();
    overrides.forEach(
        (name, value) -> {
          int dot = name.indexOf('.');
          if (dot < 0) {
            global.put(name, value);
            return;
          }
          String packageName = name.substring(0, dot);
          String macro = name.substring(dot + 1);
          if (namespace(context, packageName) instanceof Map<?, ?> namespace
              && namespace.containsKey(macro)) {
            putInto(context, packageName, macro, value);
            if (packageName.equals(DBT)) {
              context.addGlobalMacro(new UnitTestMacroOverride(macro, value, context));
            }
          } else {
            LOG.debug("A unit test overrides macro {}, which no template sees", name);
          }
        });
    // overrides of global macros win over the same macro overridden by its package
    global.forEach(
        (name, value) -> {
          if (context.getGlobalMacro(name) == null) {
            LOG.debug("A unit test overrides macro {}, which no template sees", name);
            return;
          }
          context.addGlobalMacro(new UnitTestMacroOverride(name, value, context));
          if (namespace(context, DBT) instanceof Map<?, ?> dbt && dbt.containsKey(name)) {
            putInto(context, DBT, name, value);
          }
        });
  }

  private static Object namespace(Context context, String packageName) {
    return context.get(packageName);
  }

  @SuppressWarnings("unchecked") // the namespaces are the maps SqlRenderer puts in the context
  private static void putInto(Context context, String packageName, String macro, Object value) {
    Map<String, Object> namespace = (Map<String, Object>) context.get(packageName);
    try {
      namespace.put(macro, new UnitTestMacroOverride(macro, value, context));
    } catch (UnsupportedOperationException e) {
      Map<String, Object> copy = new LinkedHashMap<>(namespace);
      copy.put(macro, new UnitTestMacroOverride(macro, value, context));
      context.put(packageName, copy);
    }
  }
}
