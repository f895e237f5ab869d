package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice query --as, sluice access explain and sluice access diff through the command line. */
class AccessCliTest {
  @TempDir Path project;

  record Result(int code, String out, String err) {}

  private Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withProject = new String[args.length + 2];
    withProject[0] = "-p";
    withProject[1] = project.toString();
    System.arraycopy(args, 0, withProject, 2, args.length);
    int code = SluiceCommand.execute(withProject, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void project() throws IOException {
    write(project, "sluice.yaml", "name: governed\n");
    write(
        project,
        "seeds/people.csv",
        "id,email,country\n1,alice.secret@mail.com,DE\n2,bob.hidden@mail.com,FR\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        """
        users:
          - name: analyst
            roles: [analyst]
            attributes: {country: DE}
          - name: nobody
        roles:
          - name: analyst
        grants:
          - role: analyst
            privileges: [read]
            on: published.*
        masks:
          - column: published.customers.email
            mask: email_domain
        row_filters:
          - table: published.customers
            roles: [analyst]
            where: country = principal.country
        """);
    assertThat(sluice("run").code()).isZero();
  }

  @Test
  void queryAsAPrincipalShowsMaskedFilteredRows() {
    Result analyst =
        sluice("query", "--as", "analyst", "--format", "csv", "select * from published.customers");
    assertThat(analyst.code()).isZero();
    assertThat(analyst.out())
        .contains("1,\"***@mail.com\",DE")
        .doesNotContain("secret", "bob", "FR");
    Result owner = sluice("query", "--format", "csv", "select email from published.customers");
    assertThat(owner.out()).contains("alice.secret@mail.com", "bob.hidden@mail.com");
    Result refused = sluice("query", "--as", "nobody", "select * from published.customers");
    assertThat(refused.code()).isEqualTo(ExitCodes.ACCESS_DENIED);
    assertThat(refused.err()).contains("nobody may not read published.customers");
    Result unknown = sluice("query", "--as", "analist", "select 1");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("Unknown principal 'analist': did you mean analyst?");
  }

  @Test
  void accessExplainAndDiff() {
    Result explain = sluice("access", "explain", "analyst", "published.customers");
    assertThat(explain.code()).isZero();
    assertThat(explain.out())
        .contains("may read published.customers")
        .contains("grant: analyst has read on published.*")
        .contains("mask: email email_domain (policies.yaml:13)")
        .contains("rows: where ((country = principal.country))");
    Result diff = sluice("access", "diff");
    assertThat(diff.code()).isZero();
    assertThat(diff.out()).contains("+ analyst gains read on published.customers");
  }

  @Test
  void planComparesPoliciesWithThoseCommittedAtGitHead() throws Exception {
    git("init", "-q");
    git("add", "policies.yaml");
    git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "policies");
    Result unchanged = sluice("plan");
    assertThat(unchanged.code()).isZero();
    assertThat(unchanged.err()).doesNotContain("Access changes");

    write(
        project,
        "policies.yaml",
        java.nio.file.Files.readString(project.resolve("policies.yaml"))
            .replace(
                "masks:\n  - column: published.customers.email\n    mask: email_domain\n", ""));
    Result changed = sluice("plan");
    assertThat(changed.code()).isZero();
    assertThat(changed.err())
        .contains("Access changes against policies.yaml at git HEAD ('sluice access diff' for");
  }

  private void git(String... args) throws IOException, InterruptedException {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git"));
    command.addAll(java.util.List.of(args));
    Process process =
        new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true).start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
  }
}
