package dev.sluice.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Records changes of a policy file (policies.yaml) in the audit log: when the file's SHA-256
 * differs from the last one recorded, a {@code policy_change} record with the new and previous
 * hash, the file's content and a line diff against the previous content. Reads one file and the
 * last policy record, so it is cheap to call at every run.
 */
final class PolicyFileChanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PolicyFileChanges() {}

  static Optional<AuditRecord> record(WorkspaceAudit audit, AuditLogAccess log, Path file) {
    String content = read(file);
    String hash = content == null ? null : sha256(content);
    List<AuditRecord> last =
        log.records(AuditFilter.all().withAction(AuditAction.POLICY_CHANGE).withLimit(1));
    String previousHash = null;
    String previousContent = "";
    if (!last.isEmpty()) {
      JsonNode details = details(last.get(0));
      previousHash = details.path("sha256").isTextual() ? details.get("sha256").asText() : null;
      previousContent = details.path("content").asText("");
    }
    if (java.util.Objects.equals(hash, previousHash)) {
      return Optional.empty();
    }
    return audit.record(
        audit
            .entry(AuditAction.POLICY_CHANGE)
            .detail("file", file.getFileName().toString())
            .detail("sha256", hash)
            .detail("previous_sha256", previousHash)
            .detail(
                "event", content == null ? "removed" : previousHash == null ? "added" : "changed")
            .detail("diff", diff(previousContent, content == null ? "" : content))
            .detail("content", content)
            .build());
  }

  /** What the audit log reads records with: the store's log, opened when needed. */
  @FunctionalInterface
  interface AuditLogAccess {
    List<AuditRecord> records(AuditFilter filter);
  }

  private static JsonNode details(AuditRecord record) {
    try {
      return JSON.readTree(record.details());
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode();
    }
  }

  private static String read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  private static String sha256(String content) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256", e);
    }
  }

  /**
   * A line diff: lines only in {@code before} as {@code - line}, lines only in {@code after} as
   * {@code + line}, in order, from their longest common subsequence (policy files are small).
   */
  static String diff(String before, String after) {
    List<String> a = before.isEmpty() ? List.of() : before.lines().toList();
    List<String> b = after.isEmpty() ? List.of() : after.lines().toList();
    int[][] common = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        common[i][j] =
            a.get(i).equals(b.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> lines = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
        lines.add("- " + a.get(i++));
      } else {
        lines.add("+ " + b.get(j++));
      }
    }
    return String.join("\n", lines);
  }
}
