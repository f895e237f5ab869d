package dev.sluice.api.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TableName;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  void quotesAPlainIdentifier() {
    assertThat(Identifiers.quote("orders")).isEqualTo("\"orders\"");
  }

  @Test
  void quotesReservedWordsAndKeepsCase() {
    assertThat(Identifiers.quote("select")).isEqualTo("\"select\"");
    assertThat(Identifiers.quote("Order")).isEqualTo("\"Order\"");
  }

  @Test
  void doublesEmbeddedDoubleQuotes() {
    assertThat(Identifiers.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(Identifiers.quote("\"")).isEqualTo("\"\"\"\"");
  }

  @Test
  void keepsSingleQuotesBackslashesNulAndUnicode() {
    assertThat(Identifiers.quote("it's\\x")).isEqualTo("\"it's\\x\"");
    assertThat(Identifiers.quote("a\u0000b")).isEqualTo("\"a\u0000b\"");
    assertThat(Identifiers.quote("größe 😀")).isEqualTo("\"größe 😀\"");
  }

  @Test
  void quotesTheEmptyIdentifier() {
    assertThat(Identifiers.quote("")).isEqualTo("\"\"");
  }

  @Test
  void tableNameQuotesThroughIdentifiers() {
    assertThat(TableName.quote("a\"b")).isEqualTo(Identifiers.quote("a\"b"));
    assertThat(new TableName("raw", "select").quoted()).isEqualTo("\"raw\".\"select\"");
  }

  @Test
  void sanitizeKeepsLettersDigitsAndUnderscores() {
    assertThat(Identifiers.sanitize("Orders_2024")).isEqualTo("Orders_2024");
  }

  @Test
  void sanitizeReplacesEveryOtherCharacter() {
    assertThat(Identifiers.sanitize("orders-2024.csv")).isEqualTo("orders_2024_csv");
    assertThat(Identifiers.sanitize("a\"b'c\\d;e f")).isEqualTo("a_b_c_d_e_f");
    assertThat(Identifiers.sanitize("a\u0000b")).isEqualTo("a_b");
  }

  @Test
  void sanitizeReplacesUnicodeOneUnderscorePerCharacter() {
    assertThat(Identifiers.sanitize("café")).isEqualTo("caf_");
    assertThat(Identifiers.sanitize("a😀b")).isEqualTo("a_b");
  }

  @Test
  void sanitizeKeepsReservedWordsAndTheEmptyName() {
    assertThat(Identifiers.sanitize("select")).isEqualTo("select");
    assertThat(Identifiers.sanitize("")).isEmpty();
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> Identifiers.quote(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Identifiers.sanitize(null)).isInstanceOf(NullPointerException.class);
  }
}
