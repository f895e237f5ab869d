package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.DefaultFilter;
import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

/**
 * Jinja2's default {@code Undefined}, as dbt's templates meet it: the value of a macro's argument
 * that the call leaves out and that has no default ({@code {% macro m(a, b) %}} called {@code
 * m(1)}, a generic test's argument its properties do not give). As in Jinja2, it prints as the
 * empty text, joins with {@code ~} as it ({@code 'a' ~ b} is {@code a}), is false, iterates as an
 * empty list, is not {@code defined}, is not {@code none} ({@code b is none} is false: Jinja2 tests
 * for Python's None itself) and gives way to {@code default(...)}; reading an attribute of it is an
 * error, as Jinja2's {@code UndefinedError}.
 */
final class DbtUndefined implements HasObjectTruthValue, Iterable<Object> {
  private final String name;

  DbtUndefined(String name) {
    this.name = java.util.Objects.requireNonNull(name, "name is null");
  }

  /** The argument it stands for. */
  String name() {
    return name;
  }

  @Override
  public boolean getObjectTruthValue() {
    return false;
  }

  @Override
  public Iterator<Object> iterator() {
    return Collections.emptyIterator();
  }

  /** The empty text, as Jinja2's {@code str()} of it. */
  @Override
  public String toString() {
    return "";
  }

  /** Jinja's {@code defined} test: neither a name nothing defines nor an undefined. */
  static final class Defined implements ExpTest {
    @Override
    public String getName() {
      return "defined";
    }

    @Override
    public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
      return value != null && !(value instanceof DbtUndefined);
    }
  }

  /** Jinja's {@code undefined} test, the opposite of {@link Defined}. */
  static final class Undefined implements ExpTest {
    @Override
    public String getName() {
      return "undefined";
    }

    @Override
    public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
      return value == null || value instanceof DbtUndefined;
    }
  }

  /** Jinja's {@code default} filter, which gives its value for an undefined too. */
  static final class Default extends DefaultFilter {
    @Override
    public Object filter(
        Object value, JinjavaInterpreter interpreter, Map<String, Object> parsedArgs) {
      return super.filter(value instanceof DbtUndefined ? null : value, interpreter, parsedArgs);
    }
  }
}
