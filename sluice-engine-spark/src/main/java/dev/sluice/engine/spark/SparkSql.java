package dev.sluice.engine.spark;

import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.TableReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.TokenStreamRewriter;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.ParseTree;
import org.apache.spark.sql.catalyst.parser.SqlBaseLexer;
import org.apache.spark.sql.catalyst.parser.SqlBaseParser;
import org.apache.spark.sql.catalyst.parser.UpperCaseCharStream;

/**
 * SQL read with Spark's own grammar (the ANTLR parser the Spark Connect client ships), without a
 * round trip to the server: checking user SQL ({@link #parseSelect}) and naming the lake's tables
 * as the session registered them ({@link #rewriteTables}).
 *
 * <p>Sluice names a table {@code "zone"."name"}; a Spark temporary view has a one-part name. A
 * session registers {@code "raw"."orders"} as the temporary view {@code `raw.orders`} (one
 * identifier holding a dot) and rewrites each reference to a registered table before the statement
 * is sent, token by token, leaving the rest of the text as written.
 */
final class SparkSql {
  /**
   * Functions user SQL may not call: they run Java by reflection, or read the session, the server
   * or the files behind a table ({@code EngineSession#parseSelect}).
   */
  private static final Set<String> FORBIDDEN_FUNCTIONS =
      Set.of(
          "reflect",
          "java_method",
          "try_reflect",
          "current_user",
          "user",
          "session_user",
          "current_catalog",
          "current_database",
          "current_schema",
          "input_file_name",
          "input_file_block_start",
          "input_file_block_length",
          "version",
          "spark_partition_id",
          "secret");

  /** Table functions user SQL may call: they read nothing. */
  private static final Set<String> ALLOWED_TABLE_FUNCTIONS = Set.of("range");

  private SparkSql() {}

  /** The name of the temporary view a session registers a lake table under. */
  static String viewName(TableName table) {
    return table.zone() + "." + table.name();
  }

  /** The view name quoted for Spark SQL. */
  static String quotedView(TableName table) {
    return quote(viewName(table));
  }

  /**
   * A string literal of Spark SQL: Spark reads a backslash in a literal as an escape, so both the
   * backslash and the quote are escaped with one, and the value ends where the literal does.
   */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** An identifier quoted for Spark SQL with back quotes. */
  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /**
   * The statement with every two-part table name that {@code registered} holds (as {@code
   * zone.name}, case-insensitive) replaced by its view. SQL that Spark's grammar cannot read is
   * returned unchanged, for the server to report.
   */
  static String rewriteTables(String sql, Predicate<String> registered) {
    Parsed parsed;
    try {
      parsed = parse(sql);
    } catch (SqlRejectedException e) {
      return sql;
    }
    TokenStreamRewriter rewriter = new TokenStreamRewriter(parsed.tokens());
    boolean changed = false;
    for (SqlBaseParser.IdentifierReferenceContext reference :
        collect(parsed.tree(), SqlBaseParser.IdentifierReferenceContext.class)) {
      SqlBaseParser.MultipartIdentifierContext name = reference.multipartIdentifier();
      if (name == null || name.parts.size() != 2) {
        continue;
      }
      String zone = unquote(name.parts.get(0).getText());
      String table = unquote(name.parts.get(1).getText());
      String view = zone + "." + table;
      if (registered.test(view.toLowerCase(Locale.ROOT))) {
        rewriter.replace(name.getStart(), name.getStop(), quote(view));
        changed = true;
      }
    }
    return changed ? rewriter.getText() : sql;
  }

  /** How many positional parameters ({@code ?}) the statement has. */
  static int countParameters(String sql) {
    SqlBaseLexer lexer = new SqlBaseLexer(new UpperCaseCharStream(CharStreams.fromString(sql)));
    lexer.removeErrorListeners();
    int count = 0;
    for (org.antlr.v4.runtime.Token token : lexer.getAllTokens()) {
      if (token.getType() == SqlBaseLexer.QUESTION) {
        count++;
      }
    }
    return count;
  }

  /**
   * Checks that {@code sql} is one query that reaches nothing but the tables it names, and lists
   * those tables, common table expressions left out.
   *
   * @throws SqlRejectedException for a syntax error, anything but one query, a table function, a
   *     name computed at run time ({@code IDENTIFIER(...)}) or a function that reads the session,
   *     the server or files
   */
  static ParsedSelect parseSelect(String sql) {
    Parsed parsed = parse(sql);
    SqlBaseParser.SingleStatementContext statement = parsed.tree();
    if (!(statement.statement() instanceof SqlBaseParser.StatementDefaultContext)) {
      throw new SqlRejectedException(
          "Only one SELECT is allowed here, not: " + firstWords(sql), statement.start.getLine());
    }
    Set<String> commonTables = new HashSet<>();
    for (SqlBaseParser.NamedQueryContext named :
        collect(statement, SqlBaseParser.NamedQueryContext.class)) {
      commonTables.add(unquote(named.name.getText()).toLowerCase(Locale.ROOT));
    }
    for (SqlBaseParser.TableValuedFunctionContext function :
        collect(statement, SqlBaseParser.TableValuedFunctionContext.class)) {
      String name = unquote(function.functionTable().functionName().getText());
      if (!ALLOWED_TABLE_FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new SqlRejectedException(
            "The table function " + name + " is not allowed: read tables by name",
            function.start.getLine());
      }
    }
    for (SqlBaseParser.FunctionNameContext function :
        collect(statement, SqlBaseParser.FunctionNameContext.class)) {
      if (function.IDENTIFIER_KW() != null) {
        throw new SqlRejectedException(
            "IDENTIFIER(...) is not allowed: name tables and functions in the SQL",
            function.start.getLine());
      }
      String name = unquote(function.getText()).toLowerCase(Locale.ROOT);
      if (FORBIDDEN_FUNCTIONS.contains(name)) {
        throw new SqlRejectedException(
            "The function " + name + " is not allowed: it reads the session, the server or files",
            function.start.getLine());
      }
    }
    List<TableReference> tables = new ArrayList<>();
    for (SqlBaseParser.TableNameContext table :
        collect(statement, SqlBaseParser.TableNameContext.class)) {
      SqlBaseParser.IdentifierReferenceContext reference = table.identifierReference();
      if (reference.multipartIdentifier() == null) {
        throw new SqlRejectedException(
            "IDENTIFIER(...) is not allowed: name tables in the SQL", table.start.getLine());
      }
      List<String> parts = new ArrayList<>();
      reference.multipartIdentifier().parts.forEach(part -> parts.add(unquote(part.getText())));
      int line = table.start.getLine();
      if (parts.size() == 1) {
        if (!commonTables.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
          tables.add(new TableReference("", parts.get(0), line));
        }
      } else if (parts.size() == 2) {
        tables.add(new TableReference(parts.get(0), parts.get(1), line));
      } else {
        throw new SqlRejectedException(
            "Name tables as zone.table, not " + String.join(".", parts), line);
      }
    }
    return new ParsedSelect(tables);
  }

  private record Parsed(SqlBaseParser.SingleStatementContext tree, CommonTokenStream tokens) {}

  private static Parsed parse(String sql) {
    SqlBaseLexer lexer = new SqlBaseLexer(new UpperCaseCharStream(CharStreams.fromString(sql)));
    lexer.removeErrorListeners();
    lexer.addErrorListener(Rejecting.INSTANCE);
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    SqlBaseParser parser = new SqlBaseParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(Rejecting.INSTANCE);
    // as the sessions run it: ANSI SQL with double-quoted identifiers (SparkEngine.SESSION_CONF)
    parser.double_quoted_identifiers = true;
    parser.SQL_standard_keyword_behavior = false;
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    try {
      return new Parsed(parser.singleStatement(), tokens);
    } catch (ParseCancellationException | SqlRejectedException first) {
      tokens.seek(0);
      parser.reset();
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      try {
        return new Parsed(parser.singleStatement(), tokens);
      } catch (ParseCancellationException e) {
        throw new SqlRejectedException("Cannot parse the SQL: " + e.getMessage(), 0);
      }
    }
  }

  /** Every node of a type under {@code tree}, in the order of the text. */
  private static <T> List<T> collect(ParseTree tree, Class<T> type) {
    List<T> found = new ArrayList<>();
    collect(tree, type, found);
    return found;
  }

  private static <T> void collect(ParseTree tree, Class<T> type, List<T> found) {
    if (type.isInstance(tree)) {
      found.add(type.cast(tree));
    }
    for (int i = 0; i < tree.getChildCount(); i++) {
      collect(tree.getChild(i), type, found);
    }
  }

  /** An identifier as written, without its back or double quotes. */
  static String unquote(String identifier) {
    if (identifier.length() >= 2) {
      char first = identifier.charAt(0);
      char last = identifier.charAt(identifier.length() - 1);
      if ((first == '`' || first == '"') && last == first) {
        String quote = String.valueOf(first);
        return identifier.substring(1, identifier.length() - 1).replace(quote + quote, quote);
      }
    }
    return identifier;
  }

  private static String firstWords(String sql) {
    String trimmed = sql.strip();
    return Optional.of(trimmed.split("\\s+", 3))
        .map(words -> words.length > 1 ? words[0] + " " + words[1] : words[0])
        .orElse(trimmed);
  }

  /** Raises the first syntax error as a {@link SqlRejectedException} with its line. */
  private static final class Rejecting extends BaseErrorListener {
    static final Rejecting INSTANCE = new Rejecting();

    @Override
    public void syntaxError(
        Recognizer<?, ?> recognizer,
        Object offendingSymbol,
        int line,
        int charPositionInLine,
        String message,
        RecognitionException e) {
      throw new SqlRejectedException(
          "Syntax error at line " + line + ", column " + (charPositionInLine + 1) + ": " + message,
          line);
    }
  }
}
