package dev.sluice.core.project;

import java.beans.FeatureDescriptor;
import java.util.Collections;
import java.util.Iterator;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * An EL resolver that adds Python's methods of one kind of value to a template's values ({@link
 * PythonStrings}, {@link PythonDicts}): it answers {@link #invoke} and, where a subclass says so,
 * {@link #getValue}; it sets nothing and describes no properties, so that every other question goes
 * on to Jinjava's own resolver ({@link DbtJinjava#resolver()}).
 */
abstract class PythonMethods extends ELResolver {
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null; // methods only
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {
    // read-only: another resolver sets values
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return Collections.emptyIterator();
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
