package dev.sluice.api.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlLiteralsTest {
  @Test
  void quotesAPlainValue() {
    assertThat(SqlLiterals.literal("orders")).isEqualTo("'orders'");
  }

  @Test
  void doublesEmbeddedSingleQuotes() {
    assertThat(SqlLiterals.literal("it's")).isEqualTo("'it''s'");
    assertThat(SqlLiterals.literal("'")).isEqualTo("''''");
    assertThat(SqlLiterals.literal("''; DROP TABLE t; --")).isEqualTo("'''''; DROP TABLE t; --'");
  }

  @Test
  void keepsBackslashesAsTheyAre() {
    assertThat(SqlLiterals.literal("C:\\data\\it's")).isEqualTo("'C:\\data\\it''s'");
    assertThat(SqlLiterals.literal("\\'")).isEqualTo("'\\'''");
  }

  @Test
  void keepsNulAndControlCharacters() {
    assertThat(SqlLiterals.literal("a\u0000b\nc")).isEqualTo("'a\u0000b\nc'");
  }

  @Test
  void keepsUnicode() {
    assertThat(SqlLiterals.literal("café ’ 😀")).isEqualTo("'café ’ 😀'");
  }

  @Test
  void quotesTheEmptyString() {
    assertThat(SqlLiterals.literal("")).isEqualTo("''");
  }

  @Test
  void keepsDoubleQuotes() {
    assertThat(SqlLiterals.literal("\"select\"")).isEqualTo("'\"select\"'");
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> SqlLiterals.literal(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value is null");
  }
}
