package dev.sluice.governance;

import dev.sluice.api.sql.Identifiers;
import org.apache.iceberg.types.Type;

/**
 * The SQL expression that computes a masked column from the stored one, for the read path's engine:
 * SQL that DuckDB and Spark SQL read alike (keyed masks call functions the engine must have been
 * given, {@link KeyedFunctions}). A mask keeps the column's type where it can: {@code CASE WHEN
 * FALSE THEN column ELSE replacement END} makes the engine cast the replacement to the column's
 * type, so a redacted date is still a date and a redacted number a number.
 */
public final class MaskExpressions {
  private MaskExpressions() {}

  /** Names the engine functions that compute keyed digests; see {@link Tokens}. */
  public interface KeyedFunctions {
    /** A function of one VARCHAR giving {@link Tokens#hash}. */
    String hash(TokenKey key);

    /** A function of one VARCHAR giving {@link Tokens#token}. */
    String token(TokenKey key);

    /** A function of one BIGINT giving {@link Tokens#tokenNumber}. */
    String tokenNumber(TokenKey key);
  }

  /**
   * The masked value of {@code column} (its current name), whose type is {@code type}.
   *
   * @param literal writes a text as the engine's string literal ({@code
   *     EngineSession.stringLiteral}): a {@code redact} mask's {@code value:} stays a value on
   *     every engine, whatever quotes or backslashes it holds
   * @throws IllegalArgumentException for a keyed mask without a key (validation reports it first)
   */
  public static String sql(
      MaskDef mask,
      String column,
      Type type,
      KeyedFunctions functions,
      java.util.function.UnaryOperator<String> literal) {
    String quoted = Identifiers.quote(column);
    // STRING and instr are spelled alike in DuckDB and Spark SQL
    String text = "CAST(" + quoted + " AS STRING)";
    return switch (mask.kind()) {
      case NULL -> "CASE WHEN FALSE THEN " + quoted + " END";
      case REDACT ->
          sameType(quoted, mask.value() != null ? literal.apply(mask.value()) : redacted(type));
      case HASH -> functions.hash(key(mask)) + "(" + text + ")";
      case TOKENIZE ->
          isWholeNumber(type)
              ? functions.tokenNumber(key(mask)) + "(CAST(" + quoted + " AS BIGINT))"
              : functions.token(key(mask)) + "(" + text + ")";
      case PARTIAL ->
          "CASE WHEN "
              + quoted
              + " IS NULL THEN NULL ELSE repeat('*', greatest(length("
              + text
              + ") - "
              + mask.last()
              + ", 0)) || right("
              + text
              + ", "
              + mask.last()
              + ") END";
      case EMAIL_DOMAIN ->
          "CASE WHEN "
              + quoted
              + " IS NULL THEN NULL WHEN instr("
              + text
              + ", '@') > 0 THEN '***@' || split_part("
              + text
              + ", '@', -1) ELSE '***' END";
      case CUSTOM -> "(" + mask.expression() + ")";
    };
  }

  private static String sameType(String quoted, String replacement) {
    return "CASE WHEN FALSE THEN " + quoted + " ELSE " + replacement + " END";
  }

  /** The default constant of a redacted column, of its type where there is one. */
  static String redacted(Type type) {
    return switch (type.typeId()) {
      case STRING -> "'[redacted]'";
      case INTEGER, LONG, FLOAT, DOUBLE, DECIMAL -> "0";
      case BOOLEAN -> "FALSE";
      case DATE -> "'1970-01-01'";
      case TIMESTAMP, TIMESTAMP_NANO -> "'1970-01-01 00:00:00'";
      case TIME -> "'00:00:00'";
      default -> "NULL";
    };
  }

  private static boolean isWholeNumber(Type type) {
    return type.typeId() == Type.TypeID.INTEGER || type.typeId() == Type.TypeID.LONG;
  }

  private static TokenKey key(MaskDef mask) {
    return mask.key()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "The " + mask.kind().label() + " mask at " + mask.location() + " has no key"));
  }
}
