package dev.sluice.core.project;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.AstDict;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import com.hubspot.jinjava.el.ext.StringConcatOperator;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.UnknownTokenException;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.collections.SizeLimitingPyMap;
import com.hubspot.jinjava.util.ScopeMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Parser.ParseException;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstChoice;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstNull;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstString;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava with the parts of Jinja2 that dbt projects rely on and Jinjava lacks, added through
 * Jinjava's own extension points (its expression factory, parser, interpreter factory and EL
 * resolver), never by rewriting templates:
 *
 * <ul>
 *   <li>{@code none} (or {@code None}) and a name whose value is none are values, printed as
 *       dbt-core's Jinja2 prints them ({@code None}); a name that is not defined at all stays an
 *       error, as Sluice reports it ({@link Interpreter});
 *   <li>a dict literal's keys are expressions, evaluated as Jinja evaluates them: {@code
 *       {col.column: col}}, and {@code {name: col}} takes the value of {@code name} (Jinjava takes
 *       the text {@code name}); a key name that is not defined keeps its text, as before;
 *   <li>Python's date arithmetic: {@code datetime + timedelta}, {@code date - timedelta}, {@code
 *       datetime - datetime} ({@link DbtModules.TimeDelta});
 *   <li>Python's string methods on strings ({@link PythonStrings}) and dict methods on dicts
 *       ({@link PythonDicts}): {@code d.get('missing')} is none, a value;
 *   <li>a boolean prints, and joins text with {@code ~}, as {@code True} or {@code False}; none
 *       joins as {@code None} ({@link PythonConcat}).
 * </ul>
 */
final class DbtJinjava extends Jinjava {
  private final ExpressionFactory expressions;
  private final KeptFunctions keptFunctions = new KeptFunctions(super.getGlobalContext());

  DbtJinjava(JinjavaConfig config) {
    super(config);
    // as Jinjava builds its own factory, with Sluice's syntax builder
    this.expressions =
        new ExpressionFactoryImpl(new Properties(), new PythonTypeConverter()) {
          @Override
          protected TreeBuilder createTreeBuilder(
              Properties properties, Builder.Feature... features) {
            return new SyntaxBuilder(features);
          }
        };
  }

  @Override
  public ExpressionFactory getExpressionFactory() {
    return expressions;
  }

  /**
   * The global context, as {@link KeptFunctions}: what is registered in it goes to Jinjava's own
   * global context (which {@link #getGlobalContextCopy()} copies), and its functions are listed
   * once, not for every interpreter.
   */
  @Override
  public Context getGlobalContext() {
    return keptFunctions;
  }

  /**
   * Jinjava's global context with its list of functions kept. Every interpreter's expression
   * resolver asks the global context for all of its functions, which Jinjava collects anew each
   * time from its libraries (a set of every function, hashed by name): a tenth of loading a
   * 10,000-model project, which builds an interpreter per model (docs/benchmarks.md). The list
   * changes only when a function is registered, which forgets it.
   */
  private static final class KeptFunctions extends Context {
    private final Context global;
    private volatile List<ELFunctionDefinition> functions;

    KeptFunctions(Context global) {
      super(global);
      this.global = global;
    }

    @Override
    public Collection<ELFunctionDefinition> getAllFunctions() {
      List<ELFunctionDefinition> kept = functions;
      if (kept == null) {
        kept = List.copyOf(global.getAllFunctions());
        functions = kept;
      }
      return kept;
    }

    @Override
    public void registerFunction(ELFunctionDefinition function) {
      global.registerFunction(function);
      functions = null;
    }

    @Override
    public void registerTag(Tag tag) {
      global.registerTag(tag);
    }

    @Override
    public void registerFilter(Filter filter) {
      global.registerFilter(filter);
    }

    @Override
    public void registerExpTest(ExpTest test) {
      global.registerExpTest(test);
    }
  }

  /** Jinjava's EL resolver, after Python's string methods ({@link PythonStrings}). */
  static ELResolver resolver() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStrings());
    resolver.add(new PythonDicts());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    return resolver;
  }

  /**
   * Jinjava's conversions, but a boolean is the text {@code True} or {@code False}, as Python's
   * {@code str()} gives it ({@code 'x' ~ flag}, a boolean passed where text is taken).
   */
  static final class PythonTypeConverter extends TruthyTypeConverter {
    private static final long serialVersionUID = 1L;

    @Override
    protected String coerceToString(Object value) {
      return value instanceof Boolean flag ? pythonText(flag) : super.coerceToString(value);
    }
  }

  /** A boolean as Python prints it. */
  static String pythonText(boolean flag) {
    return flag ? "True" : "False";
  }

  /**
   * Jinja's {@code string} filter: Jinjava's, but none and booleans as Python's {@code str()} gives
   * them ({@code None}, {@code True}, {@code False}).
   */
  static final class StringFilter implements Filter {
    @Override
    public String getName() {
      return "string";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
      if (value == null) {
        return "None";
      }
      return value instanceof Boolean flag ? pythonText(flag) : value.toString();
    }
  }

  /** Jinjava's syntax, whose parser is {@link DbtParser}. */
  static final class SyntaxBuilder extends ExtendedSyntaxBuilder {
    private static final long serialVersionUID = 1L;

    SyntaxBuilder(Builder.Feature... features) {
      super(features);
    }

    @Override
    protected Parser createParser(String expression) {
      return new DbtParser(this, expression);
    }
  }

  /**
   * Jinjava's parser, with Jinja's dict keys, Python's date arithmetic, a trailing comma in a
   * call's arguments ({@code date_spine(datepart=d, end_date=e,)}, as dbt_date writes it), {@code a
   * if b} without {@code else} printing nothing when {@code b} is false, a named argument that
   * takes the whole expression after its {@code =} and Jinja2's {@code ~} ({@link PythonConcat}).
   */
  static final class DbtParser extends ExtendedParser {
    DbtParser(Builder context, String input) {
      super(context, input);
      putExtensionHandler(StringConcatOperator.TOKEN, PythonConcat.HANDLER);
    }

    @Override
    protected AstParameters params(Scanner.Symbol left, Scanner.Symbol right)
        throws Scanner.ScanException, ParseException {
      // Jinjava's own, but a comma may end the list, as in Python and Jinja
      consumeToken(left);
      List<AstNode> parameters = Collections.emptyList();
      AstNode first = expr(false);
      if (first != null) {
        parameters = new ArrayList<>();
        parameters.add(first);
        while (getToken().getSymbol() == Scanner.Symbol.COMMA) {
          consumeToken();
          AstNode next = expr(false);
          if (next == null) {
            break;
          }
          parameters.add(next);
        }
      }
      consumeToken(right);
      return createAstParameters(parameters);
    }

    @Override
    protected AstNode add(boolean required) throws Scanner.ScanException, ParseException {
      // Jinjava's own, but a named argument takes the whole expression after its '=', as in
      // Jinja: f(x="count(*) * " + factor|string) is x = ("count(*) * " + factor|string), where
      // Jinjava parsed (x="count(*) * ") + factor|string, a positional text (dbt_expectations)
      AstNode value = mul(required);
      if (value == null) {
        return null;
      }
      while (true) {
        switch (getToken().getSymbol()) {
          case PLUS -> {
            consumeToken();
            value = createAstBinary(value, mul(true), AdditionOperator.OP);
          }
          case MINUS -> {
            consumeToken();
            value = createAstBinary(value, mul(true), AstBinary.SUB);
          }
          case EXTENSION -> {
            if (getExtensionHandler(getToken()).getExtensionPoint() != Parser.ExtensionPoint.ADD) {
              return value;
            }
            boolean named = NamedParameterOperator.TOKEN.getImage().equals(getToken().getImage());
            Parser.ExtensionHandler handler = getExtensionHandler(consumeToken());
            if (named) {
              return handler.createAstNode(value, expr(true));
            }
            value = handler.createAstNode(value, mul(true));
          }
          default -> {
            return value;
          }
        }
      }
    }

    @Override
    protected AstChoice createAstChoice(AstNode question, AstNode yes, AstNode no) {
      // Jinja's "a if b" without else is undefined when b is false, which prints nothing
      // ({{ ',' if not loop.last }}); Jinjava gives null there, which is no name's value
      return super.createAstChoice(
          question, yes, no.getClass() == AstNull.class ? new AstString("") : no);
    }

    @Override
    protected AstDict createAstDict(Map<AstNode, AstNode> dict) {
      return new ExpressionKeyDict(dict);
    }

    @Override
    protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
      if (operator == AdditionOperator.OP) {
        return super.createAstBinary(left, right, DateAddition.INSTANCE);
      }
      if (operator == AstBinary.SUB) {
        return super.createAstBinary(left, right, DateSubtraction.INSTANCE);
      }
      return super.createAstBinary(left, right, operator);
    }
  }

  /** A dict literal whose keys are evaluated as Jinja evaluates them. */
  static final class ExpressionKeyDict extends AstDict {
    ExpressionKeyDict(Map<AstNode, AstNode> dict) {
      super(dict);
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
      JinjavaInterpreter interpreter =
          (JinjavaInterpreter)
              context.getELResolver().getValue(context, null, ExtendedParser.INTERPRETER);
      Map<String, Object> resolved = new LinkedHashMap<>();
      for (Map.Entry<AstNode, AstNode> entry : dict.entrySet()) {
        resolved.put(
            key(entry.getKey(), bindings, context), entry.getValue().eval(bindings, context));
      }
      return new SizeLimitingPyMap(resolved, interpreter.getConfig().getMaxMapSize());
    }

    private static String key(AstNode node, Bindings bindings, ELContext context) {
      Object value = node.eval(bindings, context);
      if (value == null && node instanceof AstIdentifier identifier) {
        return identifier.getName(); // not defined: its text, as Jinjava took it before
      }
      return value == null ? "None" : value.toString();
    }
  }

  /** {@code +}: Jinjava's, and a date or datetime plus a timedelta. */
  static final class DateAddition extends AdditionOperator {
    static final DateAddition INSTANCE = new DateAddition();

    @Override
    protected Object apply(TypeConverter converter, Object left, Object right) {
      Object sum = DbtModules.TimeDelta.add(left, right);
      return sum != null ? sum : super.apply(converter, left, right);
    }
  }

  /**
   * {@code ~}: Jinja2's, which joins Python's {@code str()} of both sides, so none is {@code None}
   * ({@code 'a' ~ none} is {@code aNone}; Jinjava's gives {@code a}).
   */
  static final class PythonConcat extends StringConcatOperator {
    static final PythonConcat INSTANCE = new PythonConcat();

    static final Parser.ExtensionHandler HANDLER =
        new Parser.ExtensionHandler(Parser.ExtensionPoint.ADD) {
          @Override
          public AstNode createAstNode(AstNode... children) {
            return new AstBinary(children[0], children[1], INSTANCE);
          }
        };

    @Override
    protected Object apply(TypeConverter converter, Object left, Object right) {
      return super.apply(converter, left == null ? "None" : left, right == null ? "None" : right);
    }
  }

  /** {@code -}: numbers', and a date or datetime minus a timedelta or another of its kind. */
  static final class DateSubtraction extends AstBinary.SimpleOperator {
    static final DateSubtraction INSTANCE = new DateSubtraction();

    @Override
    protected Object apply(TypeConverter converter, Object left, Object right) {
      Object difference = DbtModules.TimeDelta.subtract(left, right);
      return difference != null ? difference : NumberOperations.sub(converter, left, right);
    }

    @Override
    public String toString() {
      return "-";
    }
  }

  /**
   * The interpreter: an expression whose value is none is a value, printed {@code None} as dbt-core
   * prints it, when it is {@code none} or a name defined as none; any other expression whose value
   * is null (a name nothing defines, an attribute an object lacks) is an unknown name, as Jinjava's
   * {@code failOnUnknownTokens} reported it before.
   */
  static final class Interpreter extends JinjavaInterpreter {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    Interpreter(Jinjava application, Context context, JinjavaConfig config) {
      super(application, context, config);
    }

    /** Whether the expression being resolved gave none from a dict ({@link PythonDicts}). */
    private boolean noneFromDict;

    Interpreter(JinjavaInterpreter original) {
      super(original);
    }

    /**
     * Notes that the expression being resolved took none from a dict ({@code d.get('missing')}, a
     * key held as none): a value, not an unknown name.
     */
    static void noteNone(JinjavaInterpreter current) {
      if (current instanceof Interpreter interpreter) {
        interpreter.noneFromDict = true;
      }
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // whether an error was added: the same one, or another
    public Object resolveELExpression(String expression, int lineNumber) {
      TemplateError previous = getLastError().orElse(null);
      boolean outerNone = noneFromDict; // an expression inside a macro this one calls resets it
      noneFromDict = false;
      Object value;
      boolean dictNone;
      try {
        value = super.resolveELExpression(expression, lineNumber);
      } finally {
        dictNone = noneFromDict;
        noneFromDict = outerNone;
      }
      if (value == null && !dictNone && !isNone(expression.strip())) {
        // an expression that failed (a syntax error) is reported already, as Jinjava reports it
        TemplateError last = getLastError().orElse(null);
        if (last == null
            || last == previous
            || last.getSeverity() != TemplateError.ErrorType.FATAL) {
          throw new UnknownTokenException(expression, lineNumber, getPosition());
        }
      }
      return value;
    }

    @Override
    public String getAsString(Object object) {
      if (object instanceof Boolean flag) {
        return pythonText(flag); // as Jinja2 prints it, not Java's true
      }
      if (object instanceof DbtUndefined) {
        return ""; // as Jinja2 prints its undefined
      }
      return object == null ? "None" : super.getAsString(object);
    }

    private boolean isNone(String expression) {
      if (expression.equals("none") || expression.equals("None")) {
        return true;
      }
      if (!NAME.matcher(expression).matches()) {
        return false;
      }
      // a name set to none ({% set x = none %}, a macro's argument): its scope holds it
      for (ScopeMap<String, Object> scope = getContext();
          scope != null;
          scope = scope.getParent()) {
        if (scope.getScope().containsKey(expression)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Makes {@link Interpreter}s. */
  static final class Interpreters implements InterpreterFactory {
    @Override
    public JinjavaInterpreter newInstance(JinjavaInterpreter original) {
      return new Interpreter(original);
    }

    @Override
    public JinjavaInterpreter newInstance(
        Jinjava application, Context context, JinjavaConfig config) {
      return new Interpreter(application, context, config);
    }
  }
}
