package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code openlineage:} of sluice.yaml: the transports, and each mistake with file and line. */
class OpenLineageConfigTest {
  @TempDir Path root;

  @Test
  void noBlockSendsNoEvents() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    assertThat(Project.load(root).config().openLineage()).isNull();
  }

  @Test
  void anHttpTransportWithAKeyByReferenceAndTheNamespaceDefaultingToTheProject() {
    TestProjects.write(root, "ol.key", "s3cr3t-key\n");
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n"
            + "openlineage:\n"
            + "  transport:\n"
            + "    type: http\n"
            + "    url: http://marquez:5000\n"
            + "    api_key: ${file:ol.key}\n"
            + "    timeout: 9\n");
    OpenLineageConfig config = Project.load(root).config().openLineage();
    assertThat(config.namespace()).isEqualTo("shop");
    OpenLineageConfig.Http http = (OpenLineageConfig.Http) config.transport();
    assertThat(http.url()).isEqualTo(URI.create("http://marquez:5000"));
    assertThat(http.endpoint()).isEqualTo("/api/v1/lineage");
    assertThat(http.apiKey()).isEqualTo("s3cr3t-key");
    assertThat(http.timeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(config.toString()).doesNotContain("s3cr3t-key");
  }

  @Test
  void aFileTransportIsRelativeToTheProjectAndConsoleNeedsNothing() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nopenlineage:\n  namespace: prod\n  transport: {type: file, path: ol/events.jsonl}\n");
    OpenLineageConfig config = Project.load(root).config().openLineage();
    assertThat(config.namespace()).isEqualTo("prod");
    assertThat(((OpenLineageConfig.File) config.transport()).path())
        .isEqualTo(root.resolve("ol/events.jsonl"));

    TestProjects.write(
        root, "sluice.yaml", "name: shop\nopenlineage:\n  transport: {type: console}\n");
    assertThat(Project.load(root).config().openLineage().transport())
        .isInstanceOf(OpenLineageConfig.Console.class);
  }

  @Test
  void anUnknownTransportTypeIsAProblemWithFileAndLine() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nopenlineage:\n  transport:\n    type: kafka\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("Unknown openlineage transport type 'kafka'")
        .contains("type: http, type: file or type: console");
  }

  @Test
  void aMissingTransportOrUrlOrPathIsAProblem() {
    TestProjects.write(root, "sluice.yaml", "name: shop\nopenlineage:\n  namespace: x\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:3")
        .contains("openlineage: needs a transport");

    TestProjects.write(
        root, "sluice.yaml", "name: shop\nopenlineage:\n  transport:\n    type: http\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .contains("needs a url")
        .contains("url: http://marquez:5000");

    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nopenlineage:\n  transport:\n    type: http\n    url: ftp://x/\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:5")
        .contains("must be an http(s) URL, got 'ftp://x/'");

    TestProjects.write(
        root, "sluice.yaml", "name: shop\nopenlineage:\n  transport:\n    type: file\n");
    assertThat(TestProjects.onlyProblem(root).toString()).contains("needs a path");
  }

  @Test
  void aLiteralApiKeyIsRefusedAndNotRepeated() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\n"
            + "openlineage:\n"
            + "  transport:\n"
            + "    type: http\n"
            + "    url: http://marquez:5000\n"
            + "    api_key: plain-text-key\n");
    String problem = TestProjects.onlyProblem(root).toString();
    assertThat(problem)
        .startsWith("sluice.yaml:6")
        .contains("Secrets must be given by reference")
        .doesNotContain("plain-text-key");
  }

  @Test
  void anUnknownKeyIsAProblem() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nopenlineage:\n  transport: {type: console}\n  tls: on\n");
    assertThat(TestProjects.onlyProblem(root).toString()).startsWith("sluice.yaml:4");
  }
}
