package dev.sluice.core;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.project.Project;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy file's changes are audited once each, as a hash and a line diff. */
class PolicyFileChangesTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path project;

  @Test
  void recordsEachChangeOnceWithItsDiff() throws Exception {
    write(project, "sluice.yaml", "name: governed\n");
    // outside the project's own policies.yaml, whose format the policy features own
    Path file = write(project, "audit-fixture/policies.yaml", "roles:\n  analyst: {}\n");
    try (Workspace workspace = Workspace.open(Project.load(project), CLOCK, "admin")) {
      AuditRecord added = workspace.audit().policyFile(file).orElseThrow();
      assertThat(added.action()).isEqualTo(AuditAction.POLICY_CHANGE);
      assertThat(added.principal()).isEqualTo("admin");
      assertThat(added.details())
          .contains("\"event\":\"added\"", "\"diff\":\"+ roles:\\n+   analyst: {}\"");

      assertThat(workspace.audit().policyFile(file)).isEmpty();

      Files.writeString(file, "roles:\n  analyst: {}\n  admin: {}\n");
      AuditRecord changed = workspace.audit().policyFile(file).orElseThrow();
      assertThat(changed.details())
          .contains("\"event\":\"changed\"", "\"diff\":\"+   admin: {}\"")
          .contains("\"previous_sha256\":\"");

      Files.delete(file);
      AuditRecord removed = workspace.audit().policyFile(file).orElseThrow();
      assertThat(removed.details()).contains("\"event\":\"removed\"", "- roles:");
      assertThat(workspace.audit().policyFile(file)).isEmpty();
      assertThat(workspace.runStore().audit().verify().intact()).isTrue();
    }
  }

  @Test
  void diffsLinesInOrder() {
    assertThat(PolicyFileChanges.diff("a\nb\nc", "a\nx\nc\nd")).isEqualTo("- b\n+ x\n+ d");
    assertThat(PolicyFileChanges.diff("", "")).isEmpty();
  }
}
