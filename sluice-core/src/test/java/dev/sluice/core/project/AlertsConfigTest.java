package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alerts:} of sluice.yaml: channels, rules, and each mistake with file and line. */
class AlertsConfigTest {
  @TempDir Path root;

  private static final String CHANNELS =
      "name: shop\n"
          + "alerts:\n"
          + "  channels:\n"
          + "    oncall: {type: slack, url: \"${file:slack.url}\"}\n"
          + "    ops: {type: webhook, url: https://ops.example.com/hooks/sluice, token: \"${file:ops.token}\"}\n"
          + "    team:\n"
          + "      type: email\n"
          + "      to: [data@example.com]\n"
          + "      from: sluice@example.com\n"
          + "      smtp: {host: smtp.example.com, user: \"${file:smtp.user}\", password: \"${file:smtp.password}\"}\n"
          + "  rules:\n";

  private void writeSecrets() {
    TestProjects.write(root, "slack.url", "https://hooks.slack.com/services/T0/B0/secret\n");
    TestProjects.write(root, "ops.token", "ops-token\n");
    TestProjects.write(root, "smtp.user", "mailer\n");
    TestProjects.write(root, "smtp.password", "mail-password\n");
  }

  @Test
  void noBlockMeansNoAlerts() {
    TestProjects.write(root, "sluice.yaml", TestProjects.MINIMAL_CONFIG);
    assertThat(Project.load(root).config().alerts()).isEqualTo(AlertsConfig.NONE);
  }

  @Test
  void channelsWithTheirSecretsResolvedAndRules() {
    writeSecrets();
    TestProjects.write(
        root,
        "sluice.yaml",
        CHANNELS
            + "    - {name: failures, on: run_failed, channels: [oncall]}\n"
            + "    - {name: stale, on: freshness, max_age: 2d, select: [orders], channels: [team, ops]}\n");
    AlertsConfig alerts = Project.load(root).config().alerts();
    AlertsConfig.Slack slack = (AlertsConfig.Slack) alerts.channels().get("oncall");
    assertThat(slack.url()).isEqualTo(URI.create("https://hooks.slack.com/services/T0/B0/secret"));
    assertThat(slack.toString()).doesNotContain("secret");
    AlertsConfig.Webhook ops = (AlertsConfig.Webhook) alerts.channels().get("ops");
    assertThat(ops.token()).isEqualTo("ops-token");
    assertThat(ops.toString()).doesNotContain("ops-token");
    AlertsConfig.Email team = (AlertsConfig.Email) alerts.channels().get("team");
    assertThat(team.port()).isEqualTo(587);
    assertThat(team.security()).isEqualTo(AlertsConfig.SmtpSecurity.STARTTLS);
    assertThat(team.user()).isEqualTo("mailer");
    assertThat(team.password()).isEqualTo("mail-password");
    assertThat(team.toString()).doesNotContain("mail-password").doesNotContain("mailer");
    assertThat(alerts.rules()).hasSize(2);
    assertThat(alerts.rules().get(0).on()).isEqualTo(AlertsConfig.Trigger.RUN_FAILED);
    assertThat(alerts.rules().get(1).maxAge()).isEqualTo(Duration.ofDays(2));
    assertThat(alerts.rules().get(1).select()).isEqualTo(List.of("orders"));
  }

  @Test
  void aSlackUrlWrittenInTheFileIsRefusedAsASecretAndNotRepeated() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nalerts:\n  channels:\n    oncall: {type: slack, url: https://hooks.slack.com/services/T0/B0/leaked}\n");
    String problem = TestProjects.onlyProblem(root).toString();
    assertThat(problem)
        .startsWith("sluice.yaml:4")
        .contains("Secrets must be given by reference")
        .doesNotContain("leaked");
  }

  @Test
  void aRuleNamingAnUnknownChannelOrTriggerIsAProblemWithItsLine() {
    writeSecrets();
    TestProjects.write(
        root,
        "sluice.yaml",
        CHANNELS + "    - {name: failures, on: run_failed, channels: [pager]}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:12")
        .contains("unknown channel 'pager'")
        .contains("declared channels: oncall, ops, team");

    TestProjects.write(
        root, "sluice.yaml", CHANNELS + "    - {name: failures, on: run_slow, channels: [ops]}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:12")
        .contains("Unknown alert trigger 'run_slow'")
        .contains("run_failed, check_failed, freshness, budget or slo_breach");
  }

  @Test
  void aFreshnessRuleNeedsAValidMaxAge() {
    writeSecrets();
    TestProjects.write(
        root, "sluice.yaml", CHANNELS + "    - {name: stale, on: freshness, channels: [ops]}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .contains("Freshness alert rule 'stale' needs max_age");

    TestProjects.write(
        root,
        "sluice.yaml",
        CHANNELS + "    - {name: stale, on: freshness, max_age: soon, channels: [ops]}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:12")
        .contains("'max_age' must be a duration like 90m, 6h or 2d, got 'soon'");
  }

  @Test
  void anEmailChannelNeedsAddressesAndAnSmtpServer() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nalerts:\n  channels:\n    team: {type: email, to: [not-an-address], from: x@y.org}\n");
    assertThat(TestProjects.problems(root).stream().map(Object::toString))
        .anySatisfy(
            problem -> assertThat(problem).contains("Invalid e-mail address 'not-an-address'"))
        .anySatisfy(problem -> assertThat(problem).contains("needs an smtp: block"));
  }

  @Test
  void anUnknownChannelTypeIsAProblem() {
    TestProjects.write(
        root, "sluice.yaml", "name: shop\nalerts:\n  channels:\n    pager: {type: pagerduty}\n");
    assertThat(TestProjects.onlyProblem(root).toString())
        .startsWith("sluice.yaml:4")
        .contains("Unknown alert channel type 'pagerduty'");
  }
}
