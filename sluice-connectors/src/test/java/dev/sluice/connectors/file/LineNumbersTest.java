package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineNumbersTest {
  private static Map<Long, Long> lines(String text, Long... offsets) throws Exception {
    return LineNumbers.of(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), List.of(offsets));
  }

  @Test
  void countsLinesBeforeEachOffset() throws Exception {
    String text = "h\na\nb\nc\n";

    assertThat(lines(text, 0L, 2L, 6L))
        .containsOnly(Map.entry(0L, 1L), Map.entry(2L, 2L), Map.entry(6L, 4L));
  }

  @Test
  void skipsLineBreaksAtTheStartOfARecord() throws Exception {
    String text = "h\r\na\r\n\r\nb\r\n";

    // DuckDB points at the LF of a CRLF, or at a blank line before the record.
    assertThat(lines(text, 2L, 5L)).containsOnly(Map.entry(2L, 2L), Map.entry(5L, 4L));
  }

  @Test
  void worksAcrossBufferBoundaries() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      text.append("line").append(i).append('\n');
    }
    long offset = text.indexOf("line99999\n");

    assertThat(lines(text.toString(), offset)).containsOnly(Map.entry(offset, 100_000L));
  }

  @Test
  void aRecordAtTheEndGetsTheLastLine() throws Exception {
    assertThat(lines("a\nb\n", 3L)).containsOnly(Map.entry(3L, 3L));
  }
}
