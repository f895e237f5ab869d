package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvHeaderTest {
  private static List<String> parse(String text, char delimiter, String quote, String escape)
      throws Exception {
    return CsvHeader.parse(new StringReader(text), delimiter, quote, escape);
  }

  @Test
  void readsTheFirstRecordOnly() throws Exception {
    assertThat(parse("id,name\n1,a\n", ',', "\"", "\"")).containsExactly("id", "name");
    assertThat(parse("id;name\r\n1;a", ';', "\"", "\"")).containsExactly("id", "name");
  }

  @Test
  void unquotesAndSkipsTheByteOrderMark() throws Exception {
    assertThat(parse("\uFEFF\"id\",\"a, \"\"b\"\"\nc\",x\n", ',', "\"", "\""))
        .containsExactly("id", "a, \"b\"\nc", "x");
  }

  @Test
  void honoursAnEscapeOtherThanTheQuote() throws Exception {
    assertThat(parse("'it\\'s',b\n", ',', "'", "\\")).containsExactly("it's", "b");
  }

  @Test
  void withoutQuotingQuotesAreText() throws Exception {
    assertThat(parse("\"a\",b\n", ',', "", "")).containsExactly("\"a\"", "b");
  }

  @Test
  void anEmptyFileHasNoRecord() throws Exception {
    assertThat(parse("", ',', "\"", "\"")).isEmpty();
    assertThat(parse("\n", ',', "\"", "\"")).containsExactly("");
  }
}
