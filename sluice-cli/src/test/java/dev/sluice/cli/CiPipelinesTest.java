package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub Actions and GitLab CI pipelines of docs/ci.md, run as those CI systems run them: the
 * YAML is read from the docs page (so that the page and this test cannot drift apart), and its
 * shell commands run with bash in a clone of a git repository whose {@code main} has the base
 * commit (production built from it, on a target {@code prod} outside the clone, as a pipeline
 * reaches production) and whose branch has the change commit. {@code ./sluice} at the repository's
 * root is the command in a child JVM (the test's class path) instead of the launcher, which would
 * build Sluice with Maven first. What the CI systems themselves do (check out, install Java, the
 * third-party comment action, {@code apt-get} in the image) is not run: each such step is named
 * here, so that a new one in the docs fails this test until it is looked at.
 */
class CiPipelinesTest {
  private static final Path PAGE = Path.of("..", "docs", "ci.md");
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path directory;

  private Path origin;
  private Path clone;

  @BeforeEach
  void aRepositoryWithProductionBuiltFromMain() throws Exception {
    Path production = directory.resolve("production");
    origin = directory.resolve("origin.git");
    clone = directory.resolve("clone");
    Path author = directory.resolve("author");
    Files.createDirectories(production);
    write(
        author,
        "sluice.yaml",
        "name: shop\n"
            + "default_target: dev\n"
            + "targets:\n"
            + "  dev:\n"
            + "    warehouse: warehouse\n"
            + "  prod:\n"
            + "    warehouse: "
            + production.resolve("warehouse")
            + "\n"
            + "    catalog: {url: \"jdbc:sqlite:"
            + production.resolve("catalog.db")
            + "\"}\n"
            + "    state: {url: \"jdbc:sqlite:"
            + production.resolve("state.db")
            + "\"}\n");
    write(author, ".gitignore", "warehouse/\n.sluice/\n");
    write(
        author,
        "models/curated/orders.sql",
        "select * from (values (1, 10.0), (2, 20.0), (3, 5.0)) t(id, amount)\n");
    write(
        author,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 6\n");
    write(
        author,
        "models/published/total.sql",
        "select sum(amount) as total from {{ ref('big') }}\n");
    write(author, "sluice", launcher());
    assertThat(author.resolve("sluice").toFile().setExecutable(true)).isTrue();
    InProcessCli.Result built = InProcessCli.sluice(author, "--target", "prod", "run");
    assertThat(built.code()).as(built.err()).isZero();

    run(directory, "git", "init", "-q", "--bare", "-b", "main", origin.toString());
    run(author, "git", "init", "-q", "-b", "main");
    commit(author, "base: production");
    run(author, "git", "remote", "add", "origin", origin.toString());
    run(author, "git", "push", "-q", "origin", "main");
    // the pull request's branch: a change that adds a column nobody reads (non-breaking)
    run(author, "git", "checkout", "-q", "-b", "change");
    write(
        author,
        "models/curated/big.sql",
        "select id, amount, amount * 2 as doubled from {{ ref('orders') }} where amount > 6\n");
    commit(author, "add doubled");
    run(author, "git", "push", "-q", "origin", "change");
    // the CI's checkout: the whole history (fetch-depth: 0, GIT_DEPTH: "0"), at the change
    run(directory, "git", "clone", "-q", "--branch", "change", origin.toString(), clone.toString());
  }

  @Test
  void theGitHubActionsJobPassesANonBreakingChangeAndFailsABreakingOne() throws Exception {
    JsonNode job = pipeline("## GitHub Actions").get("jobs").get("sluice-ci");
    assertThat(job.get("runs-on").asText()).isEqualTo("ubuntu-latest");

    Job passed = runGitHubJob(job);
    assertThat(passed.output("ci", "code")).isEqualTo("0");
    assertThat(passed.failed()).as(passed.log()).isFalse();
    assertThat(passed.skipped()).containsExactly("Fail on breaking changes or failed checks");
    assertThat(report())
        .startsWith("## Sluice CI: passed")
        .contains("target `prod`")
        .contains("against `origin/main`")
        .contains("- `models/curated/big.sql` (model big)")
        .contains("| big | non-breaking | added doubled | - |")
        .contains("| curated.big | 2 | 2 | 0 | 0 | (no key) | doubled |  |");

    // a push to the pull request: big's filter widens, which total reads (breaking)
    write(
        clone,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 1\n");
    commit(clone, "widen big");
    Files.delete(clone.resolve("ci.md")); // a new run's checkout has no report yet
    Job breaking = runGitHubJob(job);
    assertThat(breaking.output("ci", "code"))
        .isEqualTo(Integer.toString(ExitCodes.BREAKING_CHANGES));
    assertThat(breaking.failed()).isTrue();
    assertThat(breaking.log())
        .contains("sluice ci exited with 8 (1 checks failed, 8 breaking changes, see the comment)");
    assertThat(report())
        .startsWith("## Sluice CI: breaking changes")
        .contains("**Breaking changes** (allow them with `sluice ci --allow-breaking`): big.")
        .contains("| curated.big | 2 | 3 | 0 | 1 |")
        .contains("| published.total | 1 | 1 | 1 | 1 |");
    // production is untouched and the ephemeral environments are gone
    InProcessCli.Result environments =
        InProcessCli.sluice(clone, "--target", "prod", "env", "list", "--json");
    assertThat(YAML.readTree(environments.out())).isEmpty();
  }

  @Test
  void theGitLabJobPostsTheReportAsANoteAndExitsWithSluiceCisCode() throws Exception {
    JsonNode job = pipeline("## GitLab CI").get("sluice-ci");
    assertThat(job.get("rules").get(0).get("if").asText())
        .isEqualTo("$CI_PIPELINE_SOURCE == \"merge_request_event\"");
    // GitLab fetches the merge request's branch; the job's before_script fetches the target branch
    run(clone, "git", "update-ref", "-d", "refs/remotes/origin/main");
    write(
        clone,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 1\n");
    commit(clone, "widen big");

    List<String> notes = new CopyOnWriteArrayList<>();
    List<String> tokens = new CopyOnWriteArrayList<>();
    HttpServer gitlab = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gitlab.createContext(
        "/api/v4/projects/42/merge_requests/7/notes",
        exchange -> {
          String form =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          tokens.add(exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN"));
          // curl --data-urlencode "body@ci.md": one form field
          notes.add(
              form.startsWith("body=")
                  ? URLDecoder.decode(form.substring("body=".length()), StandardCharsets.UTF_8)
                  : "(not a body field) " + form);
          byte[] created = "{\"id\": 1}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(201, created.length);
          exchange.getResponseBody().write(created);
          exchange.close();
        });
    gitlab.start();
    Map<String, String> environment = new LinkedHashMap<>();
    try {
      job.get("variables")
          .fields()
          .forEachRemaining(v -> environment.put(v.getKey(), v.getValue().asText()));
      environment.put("CI_PROJECT_DIR", clone.toString());
      environment.put("CI_PIPELINE_SOURCE", "merge_request_event");
      environment.put(
          "CI_API_V4_URL", "http://127.0.0.1:" + gitlab.getAddress().getPort() + "/api/v4");
      environment.put("CI_PROJECT_ID", "42");
      environment.put("CI_MERGE_REQUEST_IID", "7");
      environment.put("SLUICE_COMMENT_TOKEN", "glpat-test-token");
      // as GitLab's runner runs a job's commands: one bash, before_script then script
      StringBuilder script = new StringBuilder("set -eo pipefail\n");
      for (JsonNode line : job.get("before_script")) {
        if (line.asText().startsWith("apt-get ")) {
          // the image's packages: git and curl are here already
          assertThat(line.asText())
              .isEqualTo("apt-get update -qq && apt-get install -y -qq git curl");
          continue;
        }
        script.append(line.asText()).append('\n');
      }
      for (JsonNode line : job.get("script")) {
        script.append(line.asText()).append('\n');
      }
      Shell result = bash(script.toString(), environment);
      assertThat(result.code()).as(result.output()).isEqualTo(ExitCodes.BREAKING_CHANGES);
    } finally {
      gitlab.stop(0);
    }
    assertThat(environment.get("SLUICE_TARGET")).isEqualTo("prod");
    assertThat(tokens).containsExactly("glpat-test-token");
    assertThat(notes).containsExactly(report());
    assertThat(report())
        .startsWith("## Sluice CI: breaking changes")
        .contains("against `origin/main`")
        .contains("| big | **breaking** |");
    assertThat(job.get("artifacts").get("paths").get(0).asText()).isEqualTo("ci.md");
  }

  /** One run of the GitHub job: its steps' outputs, which steps were skipped, what it printed. */
  private record Job(
      Map<String, Map<String, String>> outputs, List<String> skipped, boolean failed, String log) {
    String output(String step, String name) {
      return outputs.getOrDefault(step, Map.of()).get(name);
    }
  }

  /**
   * Runs the job's steps as GitHub Actions does: each {@code run:} with {@code bash --noprofile
   * --norc -eo pipefail}, the job's {@code env:} set (secrets replaced by test values), the {@code
   * if:} conditions the docs use evaluated, {@code ${{ ... }}} replaced. A step that fails fails
   * the job; the later steps then run only under {@code always()}.
   */
  private Job runGitHubJob(JsonNode job) throws Exception {
    Map<String, String> environment = new LinkedHashMap<>();
    job.get("env")
        .fields()
        .forEachRemaining(
            variable ->
                environment.put(
                    variable.getKey(),
                    variable
                        .getValue()
                        .asText()
                        .replaceAll("\\$\\{\\{ secrets\\.([A-Z_]+) }}", "test-$1")));
    assertThat(environment).containsEntry("SLUICE_TARGET", "prod");
    Map<String, Map<String, String>> outputs = new HashMap<>();
    List<String> skipped = new ArrayList<>();
    StringBuilder log = new StringBuilder();
    boolean failed = false;
    for (JsonNode step : job.get("steps")) {
      String name = step.has("name") ? step.get("name").asText() : step.get("uses").asText();
      String condition = step.has("if") ? step.get("if").asText() : "success()";
      boolean runs =
          switch (condition) {
            case "success()" -> !failed;
            case "always() && hashFiles('ci.md') != ''" -> Files.exists(clone.resolve("ci.md"));
            default -> !failed && evaluate(condition, outputs);
          };
      if (!runs) {
        skipped.add(name);
        continue;
      }
      if (step.has("uses")) {
        String action = step.get("uses").asText();
        switch (action) {
          case "actions/checkout@v4" ->
              assertThat(step.get("with").get("fetch-depth").asInt()).isZero(); // the clone above
          case "actions/setup-java@v4" ->
              assertThat(step.get("with").get("java-version").asText()).isEqualTo("17");
          case "marocchino/sticky-pull-request-comment@v2" ->
              // the comment is the report, which exists (the condition above)
              assertThat(step.get("with").get("path").asText()).isEqualTo("ci.md");
          default ->
              throw new AssertionError(
                  "docs/ci.md uses an action this test does not know: " + action);
        }
        continue;
      }
      Path outputFile = Files.createTempFile(directory, "github-output", "");
      Map<String, String> stepEnvironment = new LinkedHashMap<>(environment);
      stepEnvironment.put("GITHUB_OUTPUT", outputFile.toString());
      String script = substitute(step.get("run").asText(), outputs);
      Shell result = bash(script, stepEnvironment);
      log.append(result.output());
      if (step.has("id")) {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(outputFile, StandardCharsets.UTF_8)) {
          int equals = line.indexOf('=');
          values.put(line.substring(0, equals), line.substring(equals + 1));
        }
        outputs.put(step.get("id").asText(), values);
      }
      failed |= result.code() != 0;
    }
    return new Job(outputs, skipped, failed, log.toString());
  }

  /** {@code steps.ID.outputs.NAME != 'VALUE'}, the one form of condition the docs' job uses. */
  private static boolean evaluate(String condition, Map<String, Map<String, String>> outputs) {
    Matcher matcher =
        Pattern.compile("steps\\.(\\w+)\\.outputs\\.(\\w+) != '([^']*)'").matcher(condition);
    assertThat(matcher.matches()).as("a condition this test evaluates: " + condition).isTrue();
    String value =
        outputs.getOrDefault(matcher.group(1), Map.of()).getOrDefault(matcher.group(2), "");
    return !value.equals(matcher.group(3));
  }

  private static String substitute(String script, Map<String, Map<String, String>> outputs) {
    Matcher matcher =
        Pattern.compile("\\$\\{\\{ steps\\.(\\w+)\\.outputs\\.(\\w+) }}").matcher(script);
    StringBuilder replaced = new StringBuilder();
    while (matcher.find()) {
      String value =
          outputs.getOrDefault(matcher.group(1), Map.of()).getOrDefault(matcher.group(2), "");
      matcher.appendReplacement(replaced, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(replaced);
    assertThat(replaced.toString())
        .as("an expression this test does not replace")
        .doesNotContain("${{");
    return replaced.toString();
  }

  /** The first YAML block of the docs page's section with this heading. */
  private static JsonNode pipeline(String heading) throws IOException {
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    int section = page.indexOf("\n" + heading + "\n");
    assertThat(section).as("docs/ci.md has a section " + heading).isPositive();
    int start = page.indexOf("```yaml\n", section) + "```yaml\n".length();
    int end = page.indexOf("\n```", start);
    return YAML.readTree(page.substring(start, end));
  }

  private String report() throws IOException {
    return Files.readString(clone.resolve("ci.md"), StandardCharsets.UTF_8);
  }

  /** {@code ./sluice}: the command in a child JVM on the test's class path. */
  private static String launcher() {
    return "#!/bin/sh\nexec '"
        + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' --add-opens=java.base/java.nio=ALL-UNNAMED -cp '"
        + System.getProperty("java.class.path")
        + "' "
        + SluiceCommand.class.getName()
        + " \"$@\"\n";
  }

  private record Shell(int code, String output) {}

  private Shell bash(String script, Map<String, String> environment) throws Exception {
    Path file = Files.createTempFile(directory, "step", ".sh");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    ProcessBuilder builder =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
            .directory(clone.toFile())
            .redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Shell(process.exitValue(), output);
  }

  private static void commit(Path repository, String message) throws Exception {
    run(repository, "git", "add", "-A");
    run(
        repository,
        "git",
        "-c",
        "user.email=ci@example.org",
        "-c",
        "user.name=ci",
        "commit",
        "-q",
        "-m",
        message);
  }

  private static void run(Path directory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }
}
