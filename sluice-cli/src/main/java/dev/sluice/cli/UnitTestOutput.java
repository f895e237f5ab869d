package dev.sluice.cli;

import dev.sluice.core.quality.UnitTests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code sluice test --unit} (and {@code sluice ci}) shows unit test results. */
final class UnitTestOutput {
  private UnitTestOutput() {}

  /** One line per test, a row diff under each failed one; a summary line last. */
  static void print(Output output, UnitTests.Report report) {
    for (UnitTests.Result result : report.results()) {
      output.line(
          String.format(
              java.util.Locale.ROOT,
              "%-6s %s (model %s) in %d ms",
              result.status() == UnitTests.Status.PASSED ? "PASS" : "FAIL",
              result.test().name(),
              result.test().model(),
              result.duration().toMillis()));
      if (result.status() == UnitTests.Status.ERROR) {
        output.line("       the model failed on the given rows: " + result.error());
      } else if (result.status() == UnitTests.Status.FAILED) {
        output.line(
            "       "
                + result.test().location()
                + ": "
                + result.missing().size()
                + " expected row(s) missing, "
                + result.unexpected().size()
                + " unexpected row(s) (compared on "
                + String.join(", ", result.columns())
                + "):");
        List<String> headers = new ArrayList<>();
        headers.add("");
        headers.addAll(result.columns());
        List<List<String>> rows = new ArrayList<>();
        result.missing().forEach(row -> rows.add(diffRow("- missing", row)));
        result.unexpected().forEach(row -> rows.add(diffRow("+ unexpected", row)));
        output.table(headers, rows);
      }
    }
  }

  /** The summary line: how many passed, failed, and how long it took. */
  static String summary(UnitTests.Report report) {
    return report.results().size()
        + " unit tests: "
        + report.passed()
        + " passed, "
        + report.failed()
        + " failed in "
        + report.duration().toMillis()
        + " ms";
  }

  /** The report as JSON. */
  static Map<String, Object> json(UnitTests.Report report) {
    List<Map<String, Object>> tests = new ArrayList<>();
    for (UnitTests.Result result : report.results()) {
      Map<String, Object> test = new LinkedHashMap<>();
      test.put("name", result.test().name());
      test.put("model", result.test().model());
      test.put("location", result.test().location().toString());
      test.put("status", result.status().label());
      test.put("columns", result.columns());
      test.put("expectedRows", result.expectedRows());
      test.put("actualRows", result.actualRows());
      test.put("missing", texts(result.missing()));
      test.put("unexpected", texts(result.unexpected()));
      test.put("error", result.error());
      test.put("millis", result.duration().toMillis());
      tests.add(test);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("passed", report.passed());
    json.put("failed", report.failed());
    json.put("millis", report.duration().toMillis());
    json.put("tests", tests);
    return json;
  }

  private static List<String> diffRow(String kind, List<Object> values) {
    List<String> row = new ArrayList<>();
    row.add(kind);
    values.forEach(value -> row.add(value == null ? "null" : String.valueOf(value)));
    return row;
  }

  private static List<List<String>> texts(List<List<Object>> rows) {
    List<List<String>> texts = new ArrayList<>();
    for (List<Object> row : rows) {
      List<String> text = new ArrayList<>();
      row.forEach(value -> text.add(value == null ? null : String.valueOf(value)));
      texts.add(text);
    }
    return texts;
  }
}
