package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's one output layer: data goes to stdout (as a table, CSV or JSON), messages and progress
 * to stderr.
 */
public final class Output {
  /** Built on first use only: most commands print no JSON, and Jackson is slow to load. */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);
  }

  private final PrintWriter out;
  private final PrintWriter err;

  public Output(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** A message for the person at the terminal. */
  public void message(String text) {
    err.println(text);
    err.flush();
  }

  /** Data: one line to stdout. */
  public void line(String text) {
    out.println(text);
    out.flush();
  }

  public void json(Object value) {
    try {
      out.println(Json.MAPPER.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** Prints rows as an aligned text table. */
  public void table(List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      widths[i] = headers.get(i).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], display(row.get(i)).length());
      }
    }
    out.println(formatRow(headers, widths));
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    out.println(formatRow(rule, widths));
    for (List<String> row : rows) {
      out.println(formatRow(row, widths));
    }
    out.flush();
  }

  private static String formatRow(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = display(cells.get(i));
      line.append(cell).append(" ".repeat(Math.max(0, widths[i] - cell.length())));
      if (i < cells.size() - 1) {
        line.append("  ");
      }
    }
    return line.toString().stripTrailing();
  }

  private static String display(String value) {
    return value == null ? "NULL" : value.replace('\n', ' ');
  }
}
